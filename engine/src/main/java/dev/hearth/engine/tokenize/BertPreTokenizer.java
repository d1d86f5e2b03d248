package dev.hearth.engine.tokenize;

import java.util.List;

/**
 * BERT's pre-tokenization, as Hugging Face's {@code BertPreTokenizer}: split on whitespace
 * (White_Space, dropped), then make each punctuation character a word of its own. Punctuation is
 * ASCII punctuation (which includes symbols such as {@code $ + < = > ^ ` | ~}) or any character of
 * Unicode category P.
 */
final class BertPreTokenizer {
    private BertPreTokenizer() {}

    /** Appends the (start, end) of each word of {@code s} to {@code bounds}. */
    static void split(String s, IntArrayBuilder bounds) {
        int n = s.length();
        int wordStart = -1;
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (CharClass.isWhiteSpace(cp)) {
                if (wordStart >= 0) {
                    bounds.add(wordStart, i);
                    wordStart = -1;
                }
            } else if (isPunctuation(cp)) {
                if (wordStart >= 0) {
                    bounds.add(wordStart, i);
                    wordStart = -1;
                }
                bounds.add(i, i + len);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i += len;
        }
        if (wordStart >= 0) {
            bounds.add(wordStart, n);
        }
    }

    static List<String> split(String s) {
        IntArrayBuilder b = new IntArrayBuilder();
        split(s, b);
        List<String> out = new java.util.ArrayList<>();
        for (int k = 0; k < b.size(); k += 2) {
            out.add(s.substring(b.get(k), b.get(k + 1)));
        }
        return out;
    }

    static boolean isPunctuation(int cp) {
        if (cp < 128) {
            return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                    || (cp >= 123 && cp <= 126);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
