package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Names and places in Chinese text.
 *
 * <ul>
 *   <li>PERSON: a surname (single or compound) with one or two characters common in given names.
 *       Chinese has no capitals and no spaces, so the score comes from what surrounds it: a title
 *       after (先生, 女士, 经理, ...) or a cue before (我叫, 姓名, 联系人, ...) makes it likely; a
 *       surname before a title alone ("王先生") is a name too. Without either, the score stays
 *       below the default threshold.
 *   <li>LOCATION: provinces, cities and districts from the gazetteer, extended over the address
 *       that follows (区, 路, 街, 号, 室, ...).
 * </ul>
 */
final class ChineseNameRecognizer implements Recognizer {
    private static final String[] TITLES = {"先生", "女士", "小姐", "老师", "同学", "经理", "总监", "医生", "大夫",
        "教授", "律师", "主任", "师傅", "阿姨", "叔叔", "博士", "院长", "局长", "书记", "部长", "老板", "同志", "总"};
    private static final String[] STRONG_CUES = {"我叫", "名叫", "叫做", "姓名", "联系人", "收件人", "收货人", "寄件人",
        "客户", "患者", "病人", "员工", "用户", "学生", "负责人", "申请人", "签名", "致", "作者", "记者", "法人"};
    private static final String[] WEAK_CUES = {"和", "与", "跟", "给", "是", "叫", "由", "请", "找", "问", "告诉", "通知"};
    /** Function characters that end a name even after a strong cue. */
    private static final String NOT_IN_NAMES = "的了在是和与跟说已于今明昨这那有为被把将也都就对从到向给让";
    private static final String ADDRESS_UNITS = "省市区县镇乡村路街道巷弄号楼栋座层室园苑里";

    private final Dictionaries dict = Dictionaries.get();

    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.PERSON, EntityType.LOCATION);
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (!Chars.cjk(c)) {
                i++;
                continue;
            }
            if (!dict.placeFirst[c] && !dict.zhSurname[c] && !dict.zhCompoundFirst[c] && c != '小' && c != '老') {
                i++;
                continue;
            }
            int place = dict.placeFirst[c] ? placeAt(s, i) : -1;
            if (place > 0) {
                int end = addressTail(s, place);
                out.add(new Finding(EntityType.LOCATION, i, end, end > place ? 0.85 : 0.7,
                        end > place ? "dictionary (place) + address" : "dictionary (place)"));
                i = end;
                continue;
            }
            int e = (c == '小' || c == '老') ? familiarName(s, i, out) : -1;
            if (e < 0) {
                e = name(s, i, out);
            }
            i = e > 0 ? e : i + 1;
        }
    }

    private int placeAt(String s, int i) {
        List<String> candidates = dict.places.get(String.valueOf(s.charAt(i)));
        if (candidates == null) {
            return -1;
        }
        for (String p : candidates) {
            if (p.length() > 1 && s.startsWith(p, i)) {
                int end = i + p.length();
                if (end < s.length() && "省市".indexOf(s.charAt(end)) >= 0) {
                    end++;
                }
                return end;
            }
        }
        return -1;
    }

    /** Extends a place over the address after it: up to the last address unit within reach. */
    private static int addressTail(String s, int from) {
        int end = from;
        int k = from;
        int n = s.length();
        while (k < n && k - end <= 8) {
            char c = s.charAt(k);
            if (!(Chars.cjk(c) || Chars.digit(c) || c == '-' || Chars.upper(c))) {
                break;
            }
            if (ADDRESS_UNITS.indexOf(c) >= 0) {
                end = k + 1;
            }
            k++;
        }
        return end;
    }

    /**
     * 小王, 老李: a surname after 小 or 老, as colleagues and customers are called, when it stands
     * alone (followed by punctuation, a title or the end) and is not a word such as 老师 or 小时.
     */
    private int familiarName(String s, int i, List<Finding> out) {
        int n = s.length();
        if (i + 1 >= n || !dict.zhSurname[s.charAt(i + 1)] || COMMON_WORDS.contains(s.substring(i, i + 2))) {
            return -1;
        }
        int end = i + 2;
        if (end < n && Chars.cjk(s.charAt(end)) && titleAt(s, end) < 0) {
            return -1;
        }
        out.add(new Finding(EntityType.PERSON, i, end, 0.6, "小/老 + surname"));
        return end;
    }

    /** A name starting with a surname at {@code i}: adds it and returns its end, or -1. */
    private int name(String s, int i, List<Finding> out) {
        int n = s.length();
        int g = -1;
        if (dict.zhCompoundFirst[s.charAt(i)] && i + 1 < n && dict.zhSurnames.contains(s.substring(i, i + 2))) {
            g = i + 2;
        } else if (dict.zhSurname[s.charAt(i)]) {
            g = i + 1;
        }
        if (g < 0) {
            return -1;
        }
        if (g >= n || !Chars.cjk(s.charAt(g)) || g == i + 1 && COMMON_WORDS.contains(s.substring(i, i + 2))) {
            return -1;
        }
        String cue = cueBefore(s, i);
        boolean strongCue = cue != null && isStrong(cue);
        if (!strongCue && !dict.zhGiven[s.charAt(g)] && titleAt(s, g) < 0) {
            return -1; // the common case: a surname character inside an ordinary word
        }
        int givenEnd = g;
        while (givenEnd < n && givenEnd - g < 2 && Chars.cjk(s.charAt(givenEnd))
                && (strongCue && NOT_IN_NAMES.indexOf(s.charAt(givenEnd)) < 0 || dict.zhGiven[s.charAt(givenEnd)])
                && titleAt(s, givenEnd) < 0) {
            givenEnd++;
        }
        if (givenEnd - g == 2 && givenEnd + 1 <= n && COMMON_WORDS.contains(s.substring(givenEnd - 1, Math.min(n, givenEnd + 1)))) {
            givenEnd--; // 赵娜明天: the name is 赵娜, 明天 is "tomorrow"
        }
        int title = titleAt(s, givenEnd);
        String after = cueAfter(s, givenEnd);
        double score;
        String reason;
        if (title > 0) {
            score = 0.85;
            reason = "surname + title " + s.substring(givenEnd, title);
        } else if (givenEnd == g) {
            return -1; // a surname character alone, not followed by a title
        } else if (strongCue) {
            score = 0.85;
            reason = "surname + given name after '" + cue + "'";
        } else if (after != null) {
            score = givenEnd - g == 2 ? 0.65 : 0.55;
            reason = "surname + given name before '" + after + "'";
        } else if (cue != null) {
            score = givenEnd - g == 2 ? 0.6 : 0.5;
            reason = "surname + given name after '" + cue + "'";
        } else {
            score = givenEnd - g == 2 ? 0.45 : 0.3;
            reason = "dictionary (surname + given-name characters)";
        }
        out.add(new Finding(EntityType.PERSON, i, givenEnd, score, reason));
        return givenEnd;
    }

    /** Two-character words that begin with a character common in given names: not part of a name. */
    private static final Set<String> COMMON_WORDS = Set.of("明天", "明年", "明白", "明显", "今天", "天气", "天天",
            "和平", "平时", "平安", "国家", "国际", "文化", "学生", "学习", "安全", "生日", "生活", "新闻", "东西",
            "中国", "中心", "小时", "大家", "家里", "心里", "一起", "一下", "一直", "三个", "二十", "长期", "乐观",
            "老师", "老板", "老公", "老家", "老人", "老年", "小孩", "小心", "小姐", "小学", "小说", "小区", "小吃");
    private static final String[] CUES_AFTER = {"说", "表示", "认为", "出生", "毕业", "的电话", "的手机", "的邮箱",
        "的地址", "的身份证", "的账户", "于1", "于2"};

    private static String cueAfter(String s, int k) {
        for (String c : CUES_AFTER) {
            if (s.startsWith(c, k)) {
                return c;
            }
        }
        if (k + 1 < s.length() && (s.charAt(k) == '和' || s.charAt(k) == '与' || s.charAt(k) == '跟')
                && Dictionaries.get().zhSurname[s.charAt(k + 1)]) {
            return String.valueOf(s.charAt(k)); // 张伟和李娜: two names joined
        }
        return null;
    }

    private static final boolean[] TITLE_FIRST = firstChars(TITLES);
    private static final boolean[] CUE_LAST = lastChars(STRONG_CUES, WEAK_CUES);

    private static boolean[] firstChars(String[] words) {
        boolean[] b = new boolean[65536];
        for (String w : words) {
            b[w.charAt(0)] = true;
        }
        return b;
    }

    private static boolean[] lastChars(String[]... lists) {
        boolean[] b = new boolean[65536];
        for (String[] l : lists) {
            for (String w : l) {
                b[w.charAt(w.length() - 1)] = true;
            }
        }
        b['：'] = true;
        b[':'] = true;
        b[' '] = true;
        return b;
    }

    private static int titleAt(String s, int k) {
        if (k >= s.length() || !TITLE_FIRST[s.charAt(k)]) {
            return -1;
        }
        for (String t : TITLES) {
            if (s.startsWith(t, k)) {
                return k + t.length();
            }
        }
        return -1;
    }

    private static String cueBefore(String s, int i) {
        if (i == 0 || !CUE_LAST[s.charAt(i - 1)]) {
            return null;
        }
        int a = i;
        while (a > 0 && (s.charAt(a - 1) == ' ' || s.charAt(a - 1) == '：' || s.charAt(a - 1) == ':')) {
            a--;
        }
        for (String c : STRONG_CUES) {
            if (a - c.length() >= 0 && s.startsWith(c, a - c.length())) {
                return c;
            }
        }
        for (String c : WEAK_CUES) {
            if (a - c.length() >= 0 && s.startsWith(c, a - c.length())) {
                return c;
            }
        }
        return null;
    }

    private static boolean isStrong(String cue) {
        for (String c : STRONG_CUES) {
            if (c.equals(cue)) {
                return true;
            }
        }
        return false;
    }
}
