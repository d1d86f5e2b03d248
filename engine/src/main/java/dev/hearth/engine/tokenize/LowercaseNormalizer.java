package dev.hearth.engine.tokenize;

/**
 * Lower-cases each code point with Unicode's full, context-free mapping, as Rust's
 * {@code char::to_lowercase} (and so Hugging Face's {@code Lowercase}) does: {@code İ} becomes
 * {@code i̇} (two code points) and {@code Σ} always {@code σ}, never the final form {@code ς}
 * that Java's {@code String.toLowerCase} would choose at the end of a word.
 */
public record LowercaseNormalizer() implements Normalizer {
    @Override
    public String normalize(String text) {
        return lowercase(text);
    }

    static String lowercase(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            int lower = Character.toLowerCase(cp);
            if (cp == 0x130 || lower != cp) {
                if (out == null) {
                    out = new StringBuilder(n + 8).append(text, 0, i);
                }
                if (cp == 0x130) {
                    out.append("i\u0307");
                } else {
                    out.appendCodePoint(lower);
                }
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += len;
        }
        return out == null ? text : out.toString();
    }
}
