package dev.hearth.lab.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 checks on byte ranges, by the well-formed sequences of the Unicode standard
 * (table 3-7): no overlong forms, no surrogates (ED A0..BF), nothing above U+10FFFF. Text is
 * never repaired: a range with a bad sequence is reported, never decoded with replacements.
 */
final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** The index of the first byte of the first ill-formed sequence in {@code b[off, off + len)}, or -1 if all is valid. */
    static int firstInvalid(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            if (b[i] >= 0) {
                i++;
                continue;
            }
            int n = sequence(b, i, end);
            if (n <= 0) {
                return i;
            }
            i += n;
        }
        return -1;
    }

    /**
     * How many bytes of {@code b[off, off + len)} belong to ill-formed sequences; a sequence cut
     * short by the end of the range counts as valid (the range is a prefix of something longer).
     */
    static int invalidBytes(byte[] b, int off, int len) {
        int end = off + len;
        int bad = 0;
        for (int i = off; i < end; ) {
            if (b[i] >= 0) {
                i++;
                continue;
            }
            int n = sequence(b, i, end);
            if (n > 0) {
                i += n;
            } else if (n < 0) {
                break;
            } else {
                bad++;
                i++;
            }
        }
        return bad;
    }

    /** The length of the UTF-16 string that the valid UTF-8 {@code b[off, off + len)} decodes to. */
    static long utf16Length(byte[] b, int off, int len) {
        long n = 0;
        for (int i = off, end = off + len; i < end; i++) {
            int c = b[i] & 0xFF;
            if ((c & 0xC0) != 0x80) {
                n += c >= 0xF0 ? 2 : 1;
            }
        }
        return n;
    }

    /** The number of bytes of {@code s} in UTF-8; an unpaired surrogate counts 3, as Java's encoder replaces it. */
    static int encodedLength(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The index of the first unpaired surrogate of {@code s}, or -1 when it is well-formed Unicode. */
    static int firstUnpairedSurrogate(String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The code point starting at {@code b[i]} when it is a well-formed sequence within {@code end},
     * else -1.
     */
    static int codePointAt(byte[] b, int i, int end) {
        int n = sequence(b, i, end);
        if (n <= 0) {
            return -1;
        }
        int c = b[i] & 0xFF;
        return switch (n) {
            case 1 -> c;
            case 2 -> (c & 0x1F) << 6 | (b[i + 1] & 0x3F);
            case 3 -> (c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
            default -> (c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
        };
    }

    /** The length of the well-formed sequence at {@code b[i]}: 1 to 4; 0 if ill-formed; -1 if cut short by {@code end}. */
    private static int sequence(byte[] b, int i, int end) {
        int c = b[i] & 0xFF;
        if (c < 0x80) {
            return 1;
        }
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) {
                lo = 0xA0;
            } else if (c == 0xED) {
                hi = 0x9F;
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) {
                lo = 0x90;
            } else if (c == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return 0;
        }
        for (int k = 1; k < n; k++) {
            if (i + k >= end) {
                return -1;
            }
            int d = b[i + k] & 0xFF;
            if (k == 1 ? d < lo || d > hi : d < 0x80 || d > 0xBF) {
                return 0;
            }
        }
        return n;
    }
}
