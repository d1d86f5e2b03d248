package dev.hearth.engine.tokenize;

import java.util.Random;

/** Random strings that exercise every branch of the split patterns and the byte-level codec. */
final class RandomText {
    private static final String[] POOLS = {
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "'sStTmMdDrReEvVlL\u017F",                               // contractions, any case, long s
        "0123456789\u0660\u0661\u00B2\u00BD\u2167\uFF11",        // digits: Arabic-Indic, superscript, fraction, roman, fullwidth
        "    \t\n\r\u000B\u000C\u0085\u00A0\u1680\u2000\u2028\u2029\u202F\u205F\u3000",  // White_Space
        "\u001C\u200B\uFEFF\u180E",                              // looks like space, is not White_Space
        ".,;:!?-_()[]{}<>/\\\"'@#$%^&*+=|~`",
        "\u4F60\u597D\u4E16\u754C\u3002\uFF0C\u300C\u300D\u6F22\u5B57",  // Chinese and its punctuation
        "\u00E9\u00FC\u00DF\u0130\u03A3\u0416\u05D0\u0627\u0915\u0E01\uAC00\u3042\u30A2", // accented, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, Hangul, kana
        "\u0301\u0308\u0327\u093F\u20DD",                       // combining marks
    };
    private static final int[] ASTRAL = {
        0x1F600, 0x1F44D, 0x1F3FD, 0x1F468, 0x1F469, 0x1F467, 0x1F1EB, 0x1F1F7, 0x20000, 0x2A6D6, 0x1D400, 0x1D7D8,
        0x10348, 0xE0041, 0x10FFFD,
    };

    private RandomText() {}

    /** A string of about {@code length} chars mixing all pools, with runs so that pieces get long. */
    static String mixed(Random rnd, int length) {
        StringBuilder sb = new StringBuilder(length + 8);
        while (sb.length() < length) {
            int kind = rnd.nextInt(POOLS.length + 2);
            int run = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(8) : 0);
            for (int k = 0; k < run; k++) {
                if (kind == POOLS.length) {
                    sb.appendCodePoint(ASTRAL[rnd.nextInt(ASTRAL.length)]);
                } else if (kind == POOLS.length + 1) {
                    sb.append("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"); // ZWJ family
                } else {
                    String pool = POOLS[kind];
                    sb.append(pool.charAt(rnd.nextInt(pool.length())));
                }
            }
        }
        return sb.toString();
    }

    /** Any Unicode scalar values (no surrogates), astral included. */
    static String codePoints(Random rnd, int count) {
        StringBuilder sb = new StringBuilder(count * 2);
        for (int i = 0; i < count; i++) {
            int cp;
            do {
                cp = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(0x80);
                    case 1 -> rnd.nextInt(0x800);
                    case 2 -> rnd.nextInt(0x10000);
                    default -> rnd.nextInt(0x110000);
                };
            } while (cp >= 0xD800 && cp <= 0xDFFF);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** Random bytes, biased toward UTF-8-looking sequences and their broken forms. */
    static byte[] bytes(Random rnd, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = switch (rnd.nextInt(5)) {
                case 0 -> (byte) (0x20 + rnd.nextInt(0x60));
                case 1 -> (byte) (0x80 + rnd.nextInt(0x40));        // continuation
                case 2 -> (byte) (0xC0 + rnd.nextInt(0x40));        // lead bytes, overlong and invalid ones too
                default -> (byte) rnd.nextInt(256);
            };
        }
        return b;
    }
}
