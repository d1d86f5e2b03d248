package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** E-mail addresses: found from each {@code @} outwards, so text without one costs one scan. */
final class EmailRecognizer implements Recognizer {
    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.EMAIL_ADDRESS);
    }

    private static boolean localChar(char c) {
        return Chars.digit(c) || Chars.asciiLetter(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static boolean domainChar(char c) {
        return Chars.digit(c) || Chars.asciiLetter(c) || c == '.' || c == '-';
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int at = s.indexOf('@');
        while (at >= 0) {
            int a = at;
            while (a > 0 && localChar(s.charAt(a - 1))) {
                a--;
            }
            while (a < at && s.charAt(a) == '.') {
                a++;
            }
            int b = at + 1;
            while (b < s.length() && domainChar(s.charAt(b))) {
                b++;
            }
            while (b > at + 1 && (s.charAt(b - 1) == '.' || s.charAt(b - 1) == '-')) {
                b--;
            }
            if (a < at && s.charAt(at - 1) != '.' && validDomain(s, at + 1, b)) {
                out.add(new Finding(EntityType.EMAIL_ADDRESS, a, b, 1.0, "pattern (e-mail)"));
            }
            at = s.indexOf('@', Math.max(b, at + 1));
        }
    }

    /** Labels of letters, digits and inner hyphens, at least two, ending in a top-level domain of 2+ letters. */
    private static boolean validDomain(String s, int a, int b) {
        int lastDot = -1;
        int labelStart = a;
        for (int k = a; k <= b; k++) {
            if (k == b || s.charAt(k) == '.') {
                if (k == labelStart || s.charAt(labelStart) == '-' || s.charAt(k - 1) == '-') {
                    return false;
                }
                if (k < b) {
                    lastDot = k;
                }
                labelStart = k + 1;
            }
        }
        if (lastDot < 0 || b - lastDot - 1 < 2) {
            return false;
        }
        for (int k = lastDot + 1; k < b; k++) {
            if (!Chars.asciiLetter(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }
}
