package dev.hearth.guard.pii;

/** Character classes the recognizers scan by; all ASCII tests avoid the slower Unicode tables. */
final class Chars {
    private Chars() {}

    static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean asciiLetter(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }

    static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean lower(char c) {
        return c >= 'a' && c <= 'z';
    }

    static boolean hex(char c) {
        return digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }

    /** CJK unified ideographs (the common block and extension A). */
    static boolean cjk(char c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
    }

    /** A letter or digit that would continue an alphanumeric token (Latin letters with accents included). */
    static boolean alnum(char c) {
        if (c < 0x80) {
            return digit(c) || asciiLetter(c);
        }
        return !cjk(c) && Character.isLetterOrDigit(c);
    }

    /** True when position {@code i} starts a token: the char before it is not alphanumeric. */
    static boolean boundaryBefore(String s, int i) {
        return i == 0 || !alnum(s.charAt(i - 1));
    }

    /** True when position {@code end} ends a token: the char at it is not alphanumeric. */
    static boolean boundaryAfter(String s, int end) {
        return end >= s.length() || !alnum(s.charAt(end));
    }
}
