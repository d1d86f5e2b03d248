package dev.hearth.engine.tokenize;

import java.util.Arrays;

/**
 * GPT-2's reversible mapping of the 256 byte values to printable characters, so that vocabulary
 * entries of a byte-level BPE are readable strings in {@code vocab.json} / {@code
 * tokenizer.json}: bytes {@code !}..{@code ~}, U+00A1..U+00AC and U+00AE..U+00FF map to
 * themselves, the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) to U+0100..U+0143 in
 * byte order. A space is therefore {@code Ġ} (U+0120) and a newline {@code Ċ} (U+010A).
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final short[] CHAR_TO_BYTE = new short[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevelAlphabet() {}

    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a character stands for, or -1 when it is not one of the 256. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The printable form of bytes: one character per byte. */
    static String encode(byte[] bytes, int from, int to) {
        char[] out = new char[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * The bytes a token stands for, as Hugging Face's ByteLevel decoder computes them: the mapped
     * bytes when every character of the token is one of the 256, else the token's own UTF-8 (an
     * added token such as {@code <|im_start|>} or {@code 你好}).
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** The 256 characters in code point order, which is also GPT-2's byte order of its first 256 ids. */
    static char[] charsInCodePointOrder() {
        char[] cs = BYTE_TO_CHAR.clone();
        Arrays.sort(cs);
        return cs;
    }
}
