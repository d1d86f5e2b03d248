package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Web addresses: {@code http://}, {@code https://}, {@code ftp://} and {@code www.} forms, up to
 * the first space, quote, angle bracket or CJK character; trailing sentence punctuation and an
 * unbalanced closing bracket are left out.
 */
final class UrlRecognizer implements Recognizer {
    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.URL);
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int from = 0;
        int n = s.length();
        while (from < n) {
            int scheme = s.indexOf("://", from);
            int www = indexOfWww(s, from);
            int start;
            double score;
            if (scheme >= 0 && (www < 0 || scheme < www)) {
                start = scheme;
                while (start > 0 && Chars.asciiLetter(s.charAt(start - 1))) {
                    start--;
                }
                String name = s.substring(start, scheme).toLowerCase(java.util.Locale.ROOT);
                if (!(name.equals("http") || name.equals("https") || name.equals("ftp") || name.equals("sftp"))) {
                    from = scheme + 3;
                    continue;
                }
                score = 0.9;
            } else if (www >= 0) {
                start = www;
                score = 0.8;
            } else {
                return;
            }
            int end = start;
            int parens = 0;
            while (end < n) {
                char c = s.charAt(end);
                if (c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c >= 0x2E80) {
                    break;
                }
                if (c == '(') {
                    parens++;
                } else if (c == ')' && --parens < 0) {
                    break;
                }
                end++;
            }
            while (end > start && ".,;:!?".indexOf(s.charAt(end - 1)) >= 0) {
                end--;
            }
            int hostStart = s.startsWith("://", start) ? start : s.indexOf("://", start) >= 0
                    && s.indexOf("://", start) < end ? s.indexOf("://", start) + 3 : start;
            if (hasHostWithDot(s, hostStart, end)) {
                out.add(new Finding(EntityType.URL, start, end, score, "pattern (URL)"));
            }
            from = Math.max(end, start + 3);
        }
    }

    private static int indexOfWww(String s, int from) {
        int i = s.indexOf("www.", from);
        while (i > 0 && Chars.alnum(s.charAt(i - 1))) {
            i = s.indexOf("www.", i + 4);
        }
        return i;
    }

    private static boolean hasHostWithDot(String s, int a, int end) {
        int k = a;
        boolean dot = false;
        while (k < end && (Chars.alnum(s.charAt(k)) || s.charAt(k) == '.' || s.charAt(k) == '-')) {
            dot |= s.charAt(k) == '.' && k + 1 < end && Chars.alnum(s.charAt(k + 1));
            k++;
        }
        return dot;
    }
}
