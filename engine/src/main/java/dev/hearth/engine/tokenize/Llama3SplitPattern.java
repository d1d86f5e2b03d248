package dev.hearth.engine.tokenize;

import static dev.hearth.engine.tokenize.CharClass.LETTER;
import static dev.hearth.engine.tokenize.CharClass.NUMBER;
import static dev.hearth.engine.tokenize.CharClass.OTHER;
import static dev.hearth.engine.tokenize.CharClass.SPACE;

/**
 * Llama 3's and Qwen2's pre-tokenization regex by hand:
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}| ?[^\s\p{L}\p{N}]+[\r\n]*}
 * {@code |\s*[\r\n]+|\s+(?!\S)|\s+} with D = 3 (Llama 3) or a single {@code \p{N}} (Qwen2).
 *
 * <p>The contractions are case-insensitive with Unicode case folding, so {@code 'ſ} (long s,
 * which folds to s) is one, as in Oniguruma. {@code \s*[\r\n]+} over a whitespace run ends just
 * after the run's last CR or LF.
 */
final class Llama3SplitPattern extends SplitPattern {
    private static final char LONG_S = '\u017F';

    private final String regex;
    private final int maxDigits;

    Llama3SplitPattern(String regex, int maxDigits) {
        this.regex = regex;
        this.maxDigits = maxDigits;
    }

    @Override
    public String regex() {
        return regex;
    }

    @Override
    public String name() {
        return maxDigits == 3 ? "llama3" : "qwen2";
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

    private static boolean is(char c, char lower) {
        return c == lower || c == Character.toUpperCase(lower);
    }

    private int matchEnd(char[] s, int i, int end) {
        char c = s[i];
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c == '\'' && i + 1 < end) {
            char d = s[i + 1];
            if (is(d, 's') || d == LONG_S || is(d, 't') || is(d, 'm') || is(d, 'd')) {
                return i + 2;
            }
            if (i + 2 < end) {
                char e = s[i + 2];
                if ((is(d, 'r') && is(e, 'e')) || (is(d, 'v') && is(e, 'e')) || (is(d, 'l') && is(e, 'l'))) {
                    return i + 3;
                }
            }
        }
        int cp = CharClass.codePointAt(s, i, end);
        byte cls = CharClass.of(cp);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cls == LETTER) {
            return CharClass.runEnd(s, i, end, LETTER);
        }
        if (cls != NUMBER && c != '\r' && c != '\n') {
            int k = i + Character.charCount(cp);
            if (k < end && CharClass.at(s, k, end) == LETTER) {
                return CharClass.runEnd(s, k, end, LETTER);
            }
        }
        // \p{N}{1,maxDigits}
        if (cls == NUMBER) {
            int j = i;
            for (int n = 0; n < maxDigits && j < end; n++) {
                int d = CharClass.codePointAt(s, j, end);
                if (CharClass.of(d) != NUMBER) {
                    break;
                }
                j += Character.charCount(d);
            }
            return j;
        }
        // ' '?[^\s\p{L}\p{N}]+[\r\n]*
        int j = -1;
        if (c == ' ' && i + 1 < end && CharClass.at(s, i + 1, end) == OTHER) {
            j = CharClass.runEnd(s, i + 1, end, OTHER);
        } else if (cls == OTHER) {
            j = CharClass.runEnd(s, i, end, OTHER);
        }
        if (j >= 0) {
            while (j < end && (s[j] == '\r' || s[j] == '\n')) {
                j++;
            }
            return j;
        }
        // Whitespace (all in the BMP). \s*[\r\n]+ ends after the run's last CR or LF.
        int runEnd = CharClass.runEnd(s, i, end, SPACE);
        for (int p = runEnd - 1; p >= i; p--) {
            if (s[p] == '\r' || s[p] == '\n') {
                return p + 1;
            }
        }
        // \s+(?!\S) then \s+
        if (runEnd == end || runEnd - i == 1) {
            return runEnd;
        }
        return runEnd - 1;
    }
}
