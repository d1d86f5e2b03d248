package dev.hearth.engine.tokenize;

/**
 * The four classes of code point the GPT-style split patterns distinguish: {@code \p{L}},
 * {@code \p{N}}, {@code \s} and everything else, with Oniguruma's (and Hugging Face's)
 * definitions. {@code \s} is the Unicode White_Space property (U+0009..U+000D, U+0020, U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), not Java's
 * ASCII-only default. An unpaired surrogate (an invalid byte carried through
 * {@link SurrogateEscape}) is "other".
 */
final class CharClass {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;

    /** The class of every UTF-16 unit; surrogates are OTHER here and resolved in pairs by {@link #at}. */
    private static final byte[] BMP = new byte[65536];

    static {
        for (int c = 0; c < 65536; c++) {
            BMP[c] = classify(c);
        }
    }

    private CharClass() {}

    static byte of(int codePoint) {
        return codePoint < 65536 ? BMP[codePoint] : classify(codePoint);
    }

    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static byte classify(int cp) {
        if (isWhiteSpace(cp)) {
            return SPACE;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** The code point starting at {@code i}, a surrogate pair read whole when both halves lie before {@code end}. */
    static int codePointAt(char[] s, int i, int end) {
        char c = s[i];
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
            return Character.toCodePoint(c, s[i + 1]);
        }
        return c;
    }

    /** The class of the code point starting at {@code i}. */
    static byte at(char[] s, int i, int end) {
        char c = s[i];
        if (!Character.isHighSurrogate(c)) {
            return BMP[c];
        }
        return of(codePointAt(s, i, end));
    }

    /** The end of the run of code points of class {@code cls} that starts at {@code i}. */
    static int runEnd(char[] s, int i, int end, byte cls) {
        while (i < end) {
            char c = s[i];
            if (!Character.isHighSurrogate(c)) {
                if (BMP[c] != cls) {
                    break;
                }
                i++;
            } else {
                int cp = codePointAt(s, i, end);
                if (of(cp) != cls) {
                    break;
                }
                i += Character.charCount(cp);
            }
        }
        return i;
    }
}
