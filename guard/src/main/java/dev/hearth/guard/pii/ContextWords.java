package dev.hearth.guard.pii;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
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
        return c;
    }

    /** Raises or lowers {@code f}'s score by the words around it in {@code text}. */
    Finding apply(String text, Finding f) {
        List<String> up = support.get(f.type());
        List<String> down = against.get(f.type());
        if (up == null && down == null) {
            return f;
        }
        int a = Math.max(0, f.start() - WINDOW_BEFORE);
        int b = Math.min(text.length(), f.end() + WINDOW_AFTER);
        String before = text.substring(a, f.start()).toLowerCase(Locale.ROOT);
        String after = text.substring(f.end(), b).toLowerCase(Locale.ROOT);
        String down1 = find(down, before, after);
        if (down1 != null) {
            return f.withScore(Math.max(0, f.score() - PENALTY), f.reason() + "; context '" + down1 + "' lowers");
        }
        String up1 = find(up, before, after);
        if (up1 != null && f.score() < 1.0) {
            double s = Math.max(MIN_WITH_SUPPORT, Math.min(1.0, f.score() + BOOST));
            return f.withScore(s, f.reason() + "; context '" + up1 + "'");
        }
        return f;
    }

    private static String find(List<String> words, String before, String after) {
        if (words == null) {
            return null;
        }
        for (String w : words) {
            if (containsWord(before, w) || w.length() > 2 && containsWord(after, w)) {
                return w;
            }
        }
        return null;
    }

    static boolean containsWord(String hay, String w) {
        int k = hay.indexOf(w);
        boolean cjk = Chars.cjk(w.charAt(0));
        while (k >= 0) {
            if (cjk || (k == 0 || !Chars.alnum(hay.charAt(k - 1)))
                    && (k + w.length() == hay.length() || !Chars.alnum(hay.charAt(k + w.length())))) {
                return true;
            }
            k = hay.indexOf(w, k + 1);
        }
        return false;
    }
}
