package dev.hearth.engine.tokenize;

import static dev.hearth.engine.tokenize.CharClass.SPACE;

/**
 * GPT-2's pre-tokenization regex by hand:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
 *
 * <p>At each position the alternatives are tried in order, as a backtracking engine does: a
 * lower-case contraction; an optional single space and a run of letters, of numbers, or of
 * "other" characters; then whitespace: the whole run if it ends the text, else the run less its
 * last character (which then leads the next piece) when that leaves at least one, else the
 * single whitespace character.
 */
final class Gpt2SplitPattern extends SplitPattern {
    private static final String REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    @Override
    public String regex() {
        return REGEX;
    }

    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    void split(char[] s, int start, int end, IntArrayBuilder bounds) {
        int i = start;
        while (i < end) {
            int j = matchEnd(s, i, end);
            bounds.add(i, j);
            i = j;
        }
    }

    private static int matchEnd(char[] s, int i, int end) {
        char c = s[i];
        if (c == '\'' && i + 1 < end) {
            char d = s[i + 1];
            if (d == 's' || d == 't' || d == 'm' || d == 'd') {
                return i + 2;
            }
            if (i + 2 < end) {
                char e = s[i + 2];
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
                    return i + 3;
                }
            }
        }
        if (c == ' ' && i + 1 < end) {
            byte next = CharClass.at(s, i + 1, end);
            if (next != SPACE) {
                return CharClass.runEnd(s, i + 1, end, next);
            }
        }
        byte cls = CharClass.at(s, i, end);
        if (cls != SPACE) {
            return CharClass.runEnd(s, i, end, cls);
        }
        // Whitespace is all in the BMP, one char per code point.
        int j = CharClass.runEnd(s, i, end, SPACE);
        if (j == end || j - i == 1) {
            return j;
        }
        return j - 1;
    }
}
