package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything written mostly in digits: phone numbers, card numbers, US social security numbers,
 * Chinese resident IDs, IPv4 addresses, and numeric dates and times (Chinese 年月日 forms too).
 *
 * <p>One pass finds each <em>digit run</em> — digits joined by single separators ({@code space - .
 * / : ( )}) and Chinese date markers — then classifies the run by its shape and check digits. A
 * run no shape accepts is split at its spaces and the pieces tried, longest first, so that
 * "call 415 555 0132 at 10:30" yields the phone and the time.
 */
final class NumberRecognizer implements Recognizer {
    private static final Set<EntityType> TYPES = EnumSet.of(EntityType.PHONE_NUMBER, EntityType.CREDIT_CARD,
            EntityType.US_SSN, EntityType.CN_RESIDENT_ID, EntityType.IP_ADDRESS, EntityType.DATE_TIME);
    private static final int MAX_RUN = 48;

    @Override
    public Set<EntityType> types() {
        return TYPES;
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            boolean starts = Chars.digit(c)
                    || ((c == '+' || c == '(') && i + 1 < n && Chars.digit(s.charAt(i + 1)));
            if (!starts || !Chars.boundaryBefore(s, i)) {
                i++;
                if (Chars.alnum(c)) {
                    while (i < n && Chars.alnum(s.charAt(i))) {
                        i++; // inside a word ("abc123"): no number starts here
                    }
                }
                continue;
            }
            int end = runEnd(s, i);
            if (end - i <= MAX_RUN && acceptableEnd(s, end) && mayHoldEntity(s, i, end)) {
                classifyOrSplit(s, i, end, out);
            }
            i = Math.max(end, i + 1);
            while (i < n && Chars.alnum(s.charAt(i))) {
                i++; // a run glued to letters ("3kg", "A4") is not an identifier; skip the word
            }
        }
    }

    private static boolean dateMarker(char c) {
        return c == '年' || c == '月' || c == '日' || c == '号' || c == '时' || c == '点' || c == '分' || c == '秒';
    }

    private static boolean separator(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '/' || c == ':' || c == '(' || c == ')' || c == '\u00A0';
    }

    /** The end of the digit run starting at {@code i}. */
    private static int runEnd(String s, int i) {
        int n = s.length();
        int j = i;
        int end = i;
        int digits = 0;
        if (s.charAt(j) == '+' || s.charAt(j) == '(') {
            j++;
        }
        while (j < n && j - i <= MAX_RUN) {
            char c = s.charAt(j);
            if (Chars.digit(c)) {
                j++;
                digits++;
                end = j;
            } else if (dateMarker(c) && end == j) {
                j++;
                end = j;
                if (j < n && s.charAt(j) == ' ' && j + 1 < n && Chars.digit(s.charAt(j + 1))) {
                    j++;
                }
            } else if (c == 'T' && end == j && j + 1 < n && Chars.digit(s.charAt(j + 1)) && digits == 8) {
                j++; // ISO 8601 date-time: 2024-03-05T10:30
            } else if (separator(c) && end == j) {
                int k = j + 1;
                if (k < n && separator(s.charAt(k)) && s.charAt(k) != s.charAt(j)) {
                    k++; // ") " or " (" between groups
                }
                if (k < n && Chars.digit(s.charAt(k))) {
                    j = k;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if (digits == 17 && end < n && (s.charAt(end) == 'X' || s.charAt(end) == 'x')) {
            end++; // the check character of a Chinese resident ID
        }
        if (end + 1 < n && (s.charAt(end) | 0x20) == 'a' || end + 1 < n && (s.charAt(end) | 0x20) == 'p') {
            if ((s.charAt(end + 1) | 0x20) == 'm' && Chars.boundaryAfter(s, end + 2)) {
                end += 2; // 10:30am
            }
        } else if (end + 2 < n && s.charAt(end) == ' ' && ((s.charAt(end + 1) | 0x20) == 'a' || (s.charAt(end + 1) | 0x20) == 'p')
                && (s.charAt(end + 2) | 0x20) == 'm' && Chars.boundaryAfter(s, end + 3)) {
            end += 3; // 10:30 pm
        }
        return end;
    }

    /** A bare number of up to 8 digits is never an identifier here: the common case, rejected without allocating. */
    private static boolean mayHoldEntity(String s, int start, int end) {
        if (end - start >= 9) {
            return true;
        }
        for (int k = start; k < end; k++) {
            if (!Chars.digit(s.charAt(k))) {
                return true;
            }
        }
        return false;
    }

    private static boolean acceptableEnd(String s, int end) {
        return Chars.boundaryAfter(s, end) || Chars.cjk(s.charAt(end - 1));
    }

    private void classifyOrSplit(String s, int start, int end, List<Finding> out) {
        if (classify(s, start, end, out)) {
            return;
        }
        List<int[]> pieces = new ArrayList<>();
        int p = start;
        for (int k = start; k <= end; k++) {
            if (k == end || s.charAt(k) == ' ') {
                if (k > p) {
                    pieces.add(new int[] {p, k});
                }
                p = k + 1;
            }
        }
        if (pieces.size() < 2) {
            return;
        }
        int a = 0;
        while (a < pieces.size()) {
            int found = -1;
            for (int b = pieces.size() - 1; b >= a && found < 0; b--) {
                if ((b > a || pieces.size() > 1) && !(a == 0 && b == pieces.size() - 1)
                        && classify(s, pieces.get(a)[0], pieces.get(b)[1], out)) {
                    found = b;
                }
            }
            a = found >= 0 ? found + 1 : a + 1;
        }
    }

    private static final Pattern CN_DATE = Pattern.compile(
            "(?:(\\d{4})年)?(?:(\\d{1,2})月)?(?:(\\d{1,2})[日号])?(?: ?(\\d{1,2})(?:[点时:](\\d{1,2})?分?(?:(\\d{1,2})秒)?)?)?");
    private static final Pattern ISO_DATE = Pattern.compile("(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})(?:[ T](.+))?");
    private static final Pattern DMY_DATE = Pattern.compile("(\\d{1,2})([-/.])(\\d{1,2})\\2(\\d{4}|\\d{2})(?: (.+))?");
    private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,6})?)? ?(?:[aApP][mM])?");

    /** Tries every shape on the run {@code [a, b)}; true when one accepted it. */
    private boolean classify(String s, int a, int b, List<Finding> out) {
        String run = s.substring(a, b);
        StringBuilder d = new StringBuilder(run.length());
        boolean cjkMarker = false;
        for (int k = 0; k < run.length(); k++) {
            char c = run.charAt(k);
            if (Chars.digit(c)) {
                d.append(c);
            } else if (dateMarker(c)) {
                cjkMarker = true;
            }
        }
        String digits = d.toString();
        if (cjkMarker) {
            return chineseDate(s, run, a, b, out);
        }
        Finding f = residentId(run, digits, a, b);
        if (f == null) {
            f = creditCard(run, digits, a, b);
        }
        if (f == null) {
            f = ipv4(run, a, b);
        }
        if (f == null) {
            f = date(run, a, b);
        }
        if (f == null) {
            f = ssn(run, digits, a, b);
        }
        if (f == null) {
            f = phone(run, digits, a, b);
        }
        if (f == null && TIME.matcher(run).matches() && validTime(run)) {
            f = new Finding(EntityType.DATE_TIME, a, b, 0.6, "pattern (time)");
        }
        if (f != null) {
            out.add(f);
            return true;
        }
        return false;
    }

    private static final Set<String> DAY_PARTS = Set.of("上午", "下午", "中午", "晚上", "早上", "凌晨", "傍晚");

    private boolean chineseDate(String text, String run, int a, int b, List<Finding> out) {
        Matcher m = CN_DATE.matcher(run);
        if (!m.matches()) {
            return false;
        }
        boolean year = m.group(1) != null;
        boolean month = m.group(2) != null;
        boolean day = m.group(3) != null;
        boolean hour = m.group(4) != null && run.matches(".*[点时:].*");
        if (month && !between(m.group(2), 1, 12) || day && !between(m.group(3), 1, 31)
                || hour && !between(m.group(4), 0, 24) || m.group(5) != null && !between(m.group(5), 0, 59)) {
            return false;
        }
        int parts = (year ? 1 : 0) + (month ? 1 : 0) + (day ? 1 : 0);
        if (day && !month || m.group(4) != null && !hour) {
            return false;
        }
        double score = parts >= 2 ? 0.85 : parts == 1 && hour ? 0.8 : hour ? 0.6 : year ? 0.5 : 0.6;
        int start = a;
        if (hour && a >= 2 && DAY_PARTS.contains(text.substring(a - 2, a))) {
            start = a - 2; // 下午3点
            score = Math.max(score, 0.7);
        }
        out.add(new Finding(EntityType.DATE_TIME, start, b, score, "pattern (Chinese date)"));
        return true;
    }

    private static boolean between(String digits, int lo, int hi) {
        int v = Integer.parseInt(digits);
        return v >= lo && v <= hi;
    }

    private static Finding residentId(String run, String digits, int a, int b) {
        if (run.length() != 18 || !(digits.length() == 18 || digits.length() == 17 && (run.charAt(17) | 0x20) == 'x')) {
            return null;
        }
        char region = run.charAt(0);
        if (region < '1' || region > '8' || region == '7' && run.charAt(1) != '1') {
            return null;
        }
        int year = Integer.parseInt(run.substring(6, 10));
        int month = Integer.parseInt(run.substring(10, 12));
        int day = Integer.parseInt(run.substring(12, 14));
        if (year < 1900 || year > 2099 || !validDate(year, month, day)) {
            return null;
        }
        if (Character.toUpperCase(run.charAt(17)) != Checksums.gb11643(run)) {
            return null;
        }
        return new Finding(EntityType.CN_RESIDENT_ID, a, b, 1.0, "pattern, GB 11643 check digit");
    }

    private static Finding creditCard(String run, String digits, int a, int b) {
        int len = digits.length();
        if (len < 13 || len > 19 || run.charAt(0) == '+' || run.charAt(0) == '(') {
            return null;
        }
        char sep = 0;
        int group = 0;
        List<Integer> groups = new ArrayList<>();
        for (int k = 0; k < run.length(); k++) {
            char c = run.charAt(k);
            if (Chars.digit(c)) {
                group++;
            } else if ((c == ' ' || c == '-') && (sep == 0 || sep == c)) {
                sep = c;
                groups.add(group);
                group = 0;
            } else {
                return null;
            }
        }
        groups.add(group);
        if (groups.size() > 1 && !cardGrouping(groups)) {
            return null;
        }
        if (!issuerPrefix(digits) || !Checksums.luhn(digits)) {
            return null;
        }
        return new Finding(EntityType.CREDIT_CARD, a, b, 1.0, "pattern, issuer prefix, Luhn checksum");
    }

    private static boolean cardGrouping(List<Integer> g) {
        if (g.size() == 3 && g.get(0) == 4 && g.get(1) == 6 && (g.get(2) == 5 || g.get(2) == 4)) {
            return true; // American Express, Diners
        }
        for (int k = 0; k < g.size() - 1; k++) {
            if (g.get(k) != 4) {
                return false;
            }
        }
        return g.getLast() >= 1 && g.getLast() <= 4;
    }

    private static boolean issuerPrefix(String d) {
        int two = Integer.parseInt(d.substring(0, 2));
        int four = Integer.parseInt(d.substring(0, 4));
        return d.charAt(0) == '4'                                   // Visa
                || two >= 51 && two <= 55 || four >= 2221 && four <= 2720 // Mastercard
                || two == 34 || two == 37                            // American Express
                || two == 36 || two == 38 || two == 30               // Diners
                || d.startsWith("6011") || two == 65 || four >= 6440 && four <= 6499 // Discover
                || two == 35                                         // JCB
                || two == 62;                                        // UnionPay
    }

    private static Finding ipv4(String run, int a, int b) {
        String[] parts = run.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || p.length() > 1 && p.charAt(0) == '0' || Integer.parseInt(p) > 255) {
                return null;
            }
        }
        return new Finding(EntityType.IP_ADDRESS, a, b, 0.85, "pattern (IPv4)");
    }

    private static Finding date(String run, int a, int b) {
        Matcher m = ISO_DATE.matcher(run);
        if (m.matches()) {
            int y = Integer.parseInt(m.group(1));
            if (y >= 1900 && y <= 2099 && validDate(y, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)))
                    && (m.group(5) == null || TIME.matcher(m.group(5)).matches() && validTime(m.group(5)))) {
                return new Finding(EntityType.DATE_TIME, a, b, 0.85, "pattern (date)");
            }
            return null;
        }
        m = DMY_DATE.matcher(run);
        if (m.matches()) {
            int p = Integer.parseInt(m.group(1));
            int q = Integer.parseInt(m.group(3));
            int y = Integer.parseInt(m.group(4));
            boolean fullYear = m.group(4).length() == 4;
            if (!fullYear && !m.group(2).equals("/")) {
                return null; // 1.2.12 is a version number far more often than a date
            }
            if (fullYear && (y < 1900 || y > 2099)) {
                return null;
            }
            int year = fullYear ? y : 2000 + y;
            boolean ok = validDate(year, q, p) || validDate(year, p, q);
            if (ok && (m.group(5) == null || TIME.matcher(m.group(5)).matches() && validTime(m.group(5)))) {
                return new Finding(EntityType.DATE_TIME, a, b, fullYear ? 0.8 : 0.6, "pattern (date)");
            }
        }
        return null;
    }

    private static boolean validTime(String t) {
        Matcher m = TIME.matcher(t);
        return m.matches() && Integer.parseInt(m.group(1)) < 24 && Integer.parseInt(m.group(2)) < 60
                && (m.group(3) == null || Integer.parseInt(m.group(3)) < 60);
    }

    static boolean validDate(int y, int m, int d) {
        if (m < 1 || m > 12 || d < 1) {
            return false;
        }
        int[] days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int max = days[m - 1] + (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 1 : 0);
        return d <= max;
    }

    private static Finding ssn(String run, String digits, int a, int b) {
        if (digits.length() != 9) {
            return null;
        }
        boolean delimited;
        if (run.length() == 9) {
            delimited = false;
        } else if (run.length() == 11 && run.charAt(3) == run.charAt(6) && (run.charAt(3) == '-' || run.charAt(3) == ' ')) {
            delimited = true;
        } else {
            return null;
        }
        int area = Integer.parseInt(digits.substring(0, 3));
        int group = Integer.parseInt(digits.substring(3, 5));
        int serial = Integer.parseInt(digits.substring(5));
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0
                || digits.chars().distinct().count() == 1
                || digits.equals("078051120") || digits.equals("219099999") || digits.equals("123456789")) {
            return null;
        }
        return new Finding(EntityType.US_SSN, a, b, delimited ? 0.85 : 0.3,
                delimited ? "pattern (SSN), valid ranges" : "pattern (9 digits), valid SSN ranges");
    }

    private static Finding phone(String run, String digits, int a, int b) {
        int len = digits.length();
        boolean compact = run.length() == len;
        if (run.indexOf('/') >= 0 || run.indexOf(':') >= 0 || len == 9 && run.length() == 11 && run.charAt(3) == '-'
                && run.charAt(6) == '-') {
            return null; // ddd-dd-dddd is the shape of an SSN (here an invalid one), not of a phone number
        }
        if (run.charAt(0) == '+') {
            if (len >= 8 && len <= 15 && digits.charAt(0) != '0') {
                return new Finding(EntityType.PHONE_NUMBER, a, b, 0.75, "pattern (international)");
            }
            return null;
        }
        if (len == 11 && digits.charAt(0) == '1' && digits.charAt(1) >= '3' && (compact || run.matches("\\d{3}[ -]\\d{4}[ -]\\d{4}"))) {
            return new Finding(EntityType.PHONE_NUMBER, a, b, compact ? 0.6 : 0.75, "pattern (Chinese mobile)");
        }
        if (digits.startsWith("00") && len >= 11 && len <= 17 && !compact) {
            return new Finding(EntityType.PHONE_NUMBER, a, b, 0.6, "pattern (international, 00 prefix)");
        }
        String nanp = len == 11 && digits.charAt(0) == '1' ? digits.substring(1) : len == 10 ? digits : null;
        if (nanp != null && nanp.charAt(0) >= '2' && nanp.charAt(3) >= '2') {
            if (compact) {
                return new Finding(EntityType.PHONE_NUMBER, a, b, 0.35, "pattern (10 digits)");
            }
            if (run.matches("(?:1[ -.])?(?:\\(\\d{3}\\) ?|\\d{3}[-. ])\\d{3}[-. ]\\d{4}")) {
                return new Finding(EntityType.PHONE_NUMBER, a, b, 0.7, "pattern (North American)");
            }
        }
        if (digits.charAt(0) == '0' && len >= 9 && len <= 12) {
            if (compact) {
                return new Finding(EntityType.PHONE_NUMBER, a, b, 0.3, "pattern (national, trunk 0)");
            }
            if (run.matches("\\(?0\\d{1,4}\\)?[ -]\\d{2,4}(?:[ -]?\\d{2,4}){1,2}")) {
                return new Finding(EntityType.PHONE_NUMBER, a, b, 0.6, "pattern (national, trunk 0)");
            }
        }
        if (len == 7 && run.matches("\\d{3}-\\d{4}")) {
            return new Finding(EntityType.PHONE_NUMBER, a, b, 0.3, "pattern (local)");
        }
        return null;
    }
}
