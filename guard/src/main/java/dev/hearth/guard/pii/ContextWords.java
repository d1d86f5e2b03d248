package dev.hearth.guard.pii;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Words near a finding that make it more or less likely to be what it looks like, in English and
 * Chinese: "phone" before a ten-digit number raises it, "order" or "invoice" lowers it. The window
 * is the few words before a finding and a few characters after it, as Presidio's context
 * enhancer does; English words match whole words, Chinese words as substrings.
 */
public final class ContextWords {
    /** How much a supporting word raises a score, and the least score a supported finding gets. */
    static final double BOOST = 0.35;
    static final double MIN_WITH_SUPPORT = 0.5;
    /** How much a contrary word lowers a score. */
    static final double PENALTY = 0.3;
    private static final int WINDOW_BEFORE = 40;
    private static final int WINDOW_AFTER = 12;

    ContextWords() {}

    private final Map<EntityType, List<String>> support = new EnumMap<>(EntityType.class);
    private final Map<EntityType, List<String>> against = new EnumMap<>(EntityType.class);

    /** The built-in word lists. */
    public static ContextWords defaults() {
        ContextWords c = new ContextWords();
        c.support.put(EntityType.PHONE_NUMBER, List.of("phone", "tel", "telephone", "mobile", "cell", "call", "fax",
                "contact", "whatsapp", "电话", "手机", "联系", "致电", "号码", "拨打", "座机", "微信"));
        c.against.put(EntityType.PHONE_NUMBER, List.of("order", "invoice", "tracking", "isbn", "serial", "account",
                "reference", "ref", "ssn", "social security", "iban", "card", "订单", "单号", "发票", "编号", "身份证", "卡号"));
        c.support.put(EntityType.US_SSN, List.of("ssn", "social security", "social", "taxpayer", "ss#"));
        c.support.put(EntityType.CREDIT_CARD, List.of("card", "credit", "visa", "mastercard", "amex", "payment",
                "卡号", "银行卡", "信用卡"));
        c.support.put(EntityType.CN_RESIDENT_ID, List.of("身份证", "证件", "身份", "id card", "resident id"));
        c.support.put(EntityType.IBAN_CODE, List.of("iban", "bank", "account", "transfer", "账户", "账号", "银行"));
        c.support.put(EntityType.IP_ADDRESS, List.of("ip", "address", "server", "host", "地址", "服务器"));
        c.against.put(EntityType.IP_ADDRESS, List.of("version", "release", "v", "版本"));
        c.support.put(EntityType.DATE_TIME, List.of("born", "birth", "date", "dob", "on", "at", "since", "出生",
                "日期", "生日", "时间"));
        c.support.put(EntityType.PERSON, List.of("name", "named", "called", "dear", "mr", "mrs", "ms", "dr",
                "patient", "customer", "employee", "contact", "signed", "said", "met", "spoke", "姓名", "名字",
                "联系人"));
        c.support.put(EntityType.LOCATION, List.of("in", "from", "at", "lives", "live", "address", "city", "near",
                "moved", "born in", "住在", "位于", "地址", "来自", "住址", "在"));
        c.support.put(EntityType.CRYPTO, List.of("bitcoin", "btc", "wallet", "比特币", "钱包"));
        c.support.put(EntityType.MAC_ADDRESS, List.of("mac", "device", "ethernet", "wifi", "网卡"));
        c.compile();
        return c;
    }

    /**
     * Raises or lowers {@code f}'s score by the words around it in {@code text}. When words of
     * both kinds are near ("the tracking number ... call me on 415 555 0132"), the nearer decides.
     */
    Finding apply(String text, Finding f) {
        Compiled up = compiledSupport.get(f.type());
        Compiled down = compiledAgainst.get(f.type());
        if (up == null && down == null) {
            return f;
        }
        int a = Math.max(0, f.start() - WINDOW_BEFORE);
        int b = Math.min(text.length(), f.end() + WINDOW_AFTER);
        Match against = down == null ? null : down.nearest(text, a, f.start(), f.end(), b);
        Match support = up == null ? null : up.nearest(text, a, f.start(), f.end(), b);
        if (against != null && (support == null || against.distance() < support.distance())) {
            return f.withScore(Math.max(0, f.score() - PENALTY), f.reason() + "; context '" + against.word() + "' lowers");
        }
        if (support != null && f.score() < 1.0) {
            double s = Math.max(MIN_WITH_SUPPORT, Math.min(1.0, f.score() + BOOST));
            return f.withScore(s, f.reason() + "; context '" + support.word() + "'");
        }
        return f;
    }

    /** A context word and how many characters lie between it and the finding. */
    private record Match(String word, int distance) {}

    private final Map<EntityType, Compiled> compiledSupport = new EnumMap<>(EntityType.class);
    private final Map<EntityType, Compiled> compiledAgainst = new EnumMap<>(EntityType.class);

    private void compile() {
        support.forEach((t, w) -> compiledSupport.put(t, new Compiled(w)));
        against.forEach((t, w) -> compiledAgainst.put(t, new Compiled(w)));
    }

    /**
     * A word list arranged for matching without allocating: single English words by length
     * (compared case-insensitively in place), phrases, and Chinese words (substrings).
     */
    private static final class Compiled {
        final String[][] byLength = new String[32][];
        final List<String> phrases = new java.util.ArrayList<>();
        final List<String> cjk = new java.util.ArrayList<>();

        Compiled(List<String> words) {
            Map<Integer, List<String>> lengths = new java.util.HashMap<>();
            for (String w : words) {
                if (Chars.cjk(w.charAt(0))) {
                    cjk.add(w);
                } else if (w.indexOf(' ') >= 0) {
                    phrases.add(w);
                } else {
                    lengths.computeIfAbsent(w.length(), k -> new java.util.ArrayList<>()).add(w);
                }
            }
            lengths.forEach((len, l) -> byLength[len] = l.toArray(String[]::new));
        }

        /**
         * The word nearest the finding: the last before it (in {@code [a, s)}) or the first after
         * it (in {@code [e, b)}, words of three letters or more), whichever is closer; or null.
         */
        Match nearest(String text, int a, int s, int e, int b) {
            Match before = null;
            int k = a;
            while (k < s) {
                int[] hit = new int[2];
                String w = findIn(text, k, s, 1, hit);
                if (w == null) {
                    break;
                }
                before = new Match(w, s - hit[1]);
                k = hit[0] + 1;
            }
            int[] hit = new int[2];
            String w = findIn(text, e, b, 3, hit);
            Match after = w == null ? null : new Match(w, hit[0] - e);
            if (before == null) {
                return after;
            }
            return after == null || before.distance() <= after.distance() ? before : after;
        }

        /** The first word in {@code [from, to)}; its start and end go to {@code hit}. */
        private String findIn(String text, int from, int to, int minLength, int[] hit) {
            int k = from;
            while (k < to) {
                char c = text.charAt(k);
                if (Chars.asciiLetter(c)) {
                    int j = k + 1;
                    while (j < to && Chars.asciiLetter(text.charAt(j))) {
                        j++;
                    }
                    boolean whole = (k == 0 || !Chars.alnum(text.charAt(k - 1))) && (j == text.length() || !Chars.alnum(text.charAt(j)));
                    int len = j - k;
                    if (whole && len >= minLength && len < byLength.length && byLength[len] != null) {
                        for (String w : byLength[len]) {
                            if (text.regionMatches(true, k, w, 0, len)) {
                                hit[0] = k;
                                hit[1] = j;
                                return w;
                            }
                        }
                    }
                    for (String p : phrases) {
                        if (k + p.length() <= to && text.regionMatches(true, k, p, 0, p.length())
                                && (k + p.length() == text.length() || !Chars.alnum(text.charAt(k + p.length())))) {
                            hit[0] = k;
                            hit[1] = k + p.length();
                            return p;
                        }
                    }
                    k = j;
                } else {
                    if (Chars.cjk(c)) {
                        for (String w : cjk) {
                            if (w.charAt(0) == c && k + w.length() <= to && text.startsWith(w, k)) {
                                hit[0] = k;
                                hit[1] = k + w.length();
                                return w;
                            }
                        }
                    }
                    k++;
                }
            }
            return null;
        }
    }
}
