package dev.hearth.engine.tokenize;

import java.util.List;

/**
 * Hugging Face's {@code WordPiece} decoder: tokens are joined with spaces except those starting
 * with {@code prefix} (which lose it and join the previous token), and with {@code cleanup} the
 * spaces BERT's tokenization put before punctuation and in English contractions are removed.
 */
public record WordPieceDecoderOptions(String prefix, boolean cleanup) {
    public static final WordPieceDecoderOptions BERT = new WordPieceDecoderOptions("##", true);

    String decode(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (i != 0) {
                t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
            }
            sb.append(cleanup ? cleanup(t) : t);
        }
        return sb.toString();
    }

    /** Hugging Face's {@code cleanup}, applied to each token. */
    static String cleanup(String s) {
        return s.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" do not", " don't")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }
}
