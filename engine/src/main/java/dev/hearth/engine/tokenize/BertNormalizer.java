package dev.hearth.engine.tokenize;

/**
 * BERT's text cleaning, as Hugging Face's {@code BertNormalizer}, in this order:
 *
 * <ol>
 *   <li>{@code cleanText}: drop U+0000, U+FFFD and every character of general category C (control,
 *       format, unassigned, private use, surrogate) except tab, LF and CR; then replace each
 *       whitespace character (tab, LF, CR and White_Space) with a space;
 *   <li>{@code handleChineseChars}: put a space on each side of every CJK ideograph (the CJK
 *       Unified Ideographs blocks and extensions, and the compatibility ideographs), so each
 *       becomes a word of its own;
 *   <li>strip accents when {@code stripAccents} is true, or when it is null and {@code lowercase}
 *       is true: NFD, then drop non-spacing marks (Mn);
 *   <li>{@code lowercase}: as {@link LowercaseNormalizer}.
 * </ol>
 *
 * @param stripAccents true, false, or null for "same as lowercase" (BERT uncased strips, cased does not)
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase)
        implements Normalizer {

    /** bert-base-uncased's settings. */
    public static BertNormalizer uncased() {
        return new BertNormalizer(true, true, null, true);
    }

    /** bert-base-cased's settings. */
    public static BertNormalizer cased() {
        return new BertNormalizer(true, true, null, false);
    }

    @Override
    public String normalize(String text) {
        if (cleanText) {
            text = clean(text);
        }
        if (handleChineseChars) {
            text = padChinese(text);
        }
        if (stripAccents == null ? lowercase : stripAccents) {
            text = stripAccents(text);
        }
        if (lowercase) {
            text = LowercaseNormalizer.lowercase(text);
        }
        return text;
    }

    private static String clean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (cp == '\t' || cp == '\n' || cp == '\r' || CharClass.isWhiteSpace(cp)) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** The ranges of Hugging Face's {@code is_chinese_char} (note 0x2B920, not BERT's 0x2B820). */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private static String padChinese(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (isChinese(cp)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(' ').appendCodePoint(cp).append(' ');
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out == null ? text : out.toString();
    }

    private static String stripAccents(String text) {
        String nfd = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
