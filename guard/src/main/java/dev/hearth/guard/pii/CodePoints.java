package dev.hearth.guard.pii;

/**
 * Converts between Java string indices (UTF-16 code units) and Unicode code point offsets, which
 * is what files exchanged with other tools count. Texts without characters outside the Basic
 * Multilingual Plane (no surrogate pairs) need no table.
 */
public final class CodePoints {
    private final int[] charToCp; // null when every char is one code point

    private CodePoints(int[] charToCp) {
        this.charToCp = charToCp;
    }

    public static CodePoints of(String text) {
        int n = text.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return new CodePoints(null);
        }
        int[] map = new int[n + 1];
        int cp = 0;
        for (int c = 0; c < n; c++) {
            map[c] = cp;
            if (!(Character.isHighSurrogate(text.charAt(c)) && c + 1 < n && Character.isLowSurrogate(text.charAt(c + 1)))) {
                cp++;
            }
        }
        map[n] = cp;
        return new CodePoints(map);
    }

    /** The code point offset of a char index. */
    public int toCodePoint(int charIndex) {
        return charToCp == null ? charIndex : charToCp[charIndex];
    }

    /** The char index of a code point offset in {@code text}, failing when it lies past the end. */
    public static int toCharIndex(String text, int codePoint) {
        try {
            return text.offsetByCodePoints(0, codePoint);
        } catch (IndexOutOfBoundsException e) {
            throw new PiiException("offset " + codePoint + " lies past the end of a text of "
                    + text.codePointCount(0, text.length()) + " code points");
        }
    }
}
