package dev.hearth.engine.tokenize;

/**
 * Bytes that may not be valid UTF-8, carried through string-based tokenization without loss, as
 * Python's {@code surrogateescape}: well-formed UTF-8 sequences become their characters and each
 * byte that is not part of one becomes the unpaired surrogate U+DC80..U+DCFF ({@code 0xDC00 +
 * byte}; bytes below 0x80 are always valid). Well-formed UTF-8 never encodes a surrogate, so the
 * mapping is unambiguous and {@link #appendUtf8} restores the bytes exactly.
 *
 * <p>The pre-tokenizers treat an escaped byte as an "other" character (neither letter, number
 * nor whitespace).
 */
final class SurrogateEscape {
    private SurrogateEscape() {}

    /** {@code bytes} as a string, invalid bytes escaped. */
    static String decode(byte[] bytes) {
        char[] out = new char[bytes.length];
        int n = 0;
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                out[n++] = (char) b;
                i++;
                continue;
            }
            int len = sequenceLength(bytes, i);
            if (len == 0) {
                out[n++] = (char) (0xDC00 + b);
                i++;
                continue;
            }
            int cp = switch (len) {
                case 2 -> ((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
                case 3 -> ((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
                default -> ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6)
                        | (bytes[i + 3] & 0x3F);
            };
            n += Character.toChars(cp, out, n);
            i += len;
        }
        return new String(out, 0, n);
    }

    /** The length of the well-formed UTF-8 sequence starting at {@code i} (lead byte >= 0x80), or 0. */
    private static int sequenceLength(byte[] s, int i) {
        int b = s[i] & 0xFF;
        int n = s.length;
        if (b >= 0xC2 && b <= 0xDF) {
            return i + 1 < n && cont(s[i + 1]) ? 2 : 0;
        }
        if (b >= 0xE0 && b <= 0xEF) {
            if (i + 2 >= n || !cont(s[i + 1]) || !cont(s[i + 2])) {
                return 0;
            }
            int b1 = s[i + 1] & 0xFF;
            if (b == 0xE0 && b1 < 0xA0) {
                return 0; // overlong
            }
            if (b == 0xED && b1 >= 0xA0) {
                return 0; // a surrogate
            }
            return 3;
        }
        if (b >= 0xF0 && b <= 0xF4) {
            if (i + 3 >= n || !cont(s[i + 1]) || !cont(s[i + 2]) || !cont(s[i + 3])) {
                return 0;
            }
            int b1 = s[i + 1] & 0xFF;
            if (b == 0xF0 && b1 < 0x90) {
                return 0; // overlong
            }
            if (b == 0xF4 && b1 >= 0x90) {
                return 0; // past U+10FFFF
            }
            return 4;
        }
        return 0;
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** Whether {@code c} is an escaped byte. */
    static boolean isEscapedByte(char c) {
        return c >= 0xDC80 && c <= 0xDCFF;
    }

    /**
     * Writes the UTF-8 bytes of {@code s[start, end)} (escaped bytes as themselves) into
     * {@code out} from index 0 and returns their count; {@code out} must hold {@code 3 * (end -
     * start)} bytes. An unpaired surrogate that is not an escaped byte is written as U+FFFD's bytes
     * (callers reject such text beforehand).
     */
    static int appendUtf8(char[] s, int start, int end, byte[] out) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = s[i];
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
                int cp = Character.toCodePoint(c, s[++i]);
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (isEscapedByte(c)) {
                out[n++] = (byte) (c - 0xDC00);
            } else {
                out[n++] = (byte) 0xEF;
                out[n++] = (byte) 0xBF;
                out[n++] = (byte) 0xBD;
            }
        }
        return n;
    }

    /**
     * Throws when {@code text} holds an unpaired surrogate: such a string is not Unicode text and
     * has no UTF-8 form. {@code encode(byte[])} is the way to tokenize arbitrary bytes.
     */
    static void requireWellFormed(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new TokenizerException(String.format(
                        "the text has an unpaired surrogate U+%04X at index %d, so it is not valid Unicode and has no "
                                + "UTF-8 form; repair the text, or pass its bytes to encode(byte[]), which encodes "
                                + "any bytes exactly",
                        (int) c, i));
            }
        }
    }

    /** Strict UTF-8 decoding for tokenizers that work on text only. */
    static String decodeStrict(byte[] bytes) {
        String s = decode(bytes);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (isEscapedByte(c)) {
                throw new TokenizerException(String.format(
                        "the bytes are not valid UTF-8: byte 0x%02X at offset %d does not start a well-formed "
                                + "sequence; this tokenizer works on text, so decode or repair the bytes first",
                        c - 0xDC00, byteOffset(s, i)));
            }
        }
        return s;
    }

    private static int byteOffset(String s, int charIndex) {
        byte[] tmp = new byte[3 * charIndex + 3];
        return appendUtf8(s.toCharArray(), 0, charIndex, tmp);
    }
}
