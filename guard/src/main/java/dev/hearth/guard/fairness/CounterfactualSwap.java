package dev.hearth.guard.fairness;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Counterfactual data augmentation (Lu et al., 2018; Zhao et al., 2018): the same text with
 * each group's terms swapped for the other's — {@code he ↔ she}, {@code king ↔ queen},
 * {@code 他 ↔ 她}, {@code 爸爸 ↔ 妈妈} — so a model trained on both versions sees every context
 * with both groups. English words keep their case ({@code He → She}, {@code KING → QUEEN}); the
 * ambiguous {@code her} becomes {@code his} before a word it could own and {@code him} otherwise.
 * Chinese has no spaces, so terms are matched longest first, and words that only contain a
 * term ({@code 其他} "other", {@code 吉他} "guitar") are left alone.
 */
public final class CounterfactualSwap {

    /** English pairs, male first; every word maps both ways. */
    private static final String[][] ENGLISH = {
        {"he", "she"}, {"him", "her"}, {"his", "her"}, {"himself", "herself"}, {"his", "hers"},
        {"man", "woman"}, {"men", "women"}, {"boy", "girl"}, {"boys", "girls"}, {"male", "female"},
        {"males", "females"}, {"father", "mother"}, {"fathers", "mothers"}, {"dad", "mom"}, {"daddy", "mommy"},
        {"son", "daughter"}, {"sons", "daughters"}, {"brother", "sister"}, {"brothers", "sisters"},
        {"husband", "wife"}, {"husbands", "wives"}, {"uncle", "aunt"}, {"uncles", "aunts"}, {"nephew", "niece"},
        {"king", "queen"}, {"kings", "queens"}, {"prince", "princess"}, {"lord", "lady"}, {"lords", "ladies"},
        {"sir", "madam"}, {"mr", "mrs"}, {"gentleman", "gentlewoman"}, {"gentlemen", "gentlewomen"},
        {"grandfather", "grandmother"}, {"grandson", "granddaughter"}, {"boyfriend", "girlfriend"},
        {"actor", "actress"}, {"waiter", "waitress"}, {"hero", "heroine"}, {"monk", "nun"}, {"duke", "duchess"},
        {"emperor", "empress"}, {"widower", "widow"}, {"masculine", "feminine"}, {"mister", "missus"},
    };

    /** Chinese pairs, male first. */
    private static final String[][] CHINESE = {
        {"他", "她"}, {"他们", "她们"}, {"男人", "女人"}, {"男孩", "女孩"}, {"男生", "女生"}, {"男性", "女性"}, {"男士", "女士"},
        {"男子", "女子"}, {"先生", "太太"}, {"爸爸", "妈妈"}, {"父亲", "母亲"}, {"儿子", "女儿"}, {"哥哥", "姐姐"},
        {"弟弟", "妹妹"}, {"兄弟", "姐妹"}, {"丈夫", "妻子"}, {"老公", "老婆"}, {"爷爷", "奶奶"}, {"外公", "外婆"},
        {"祖父", "祖母"}, {"孙子", "孙女"}, {"叔叔", "阿姨"}, {"侄子", "侄女"}, {"王子", "公主"}, {"国王", "女王"},
        {"男朋友", "女朋友"}, {"男友", "女友"}, {"和尚", "尼姑"}, {"新郎", "新娘"}, {"男演员", "女演员"},
    };

    /** Words holding a Chinese term without meaning a gender; they are kept as they are. */
    private static final List<String> CHINESE_KEEP = List.of("其他", "他人", "吉他", "他乡", "利他", "他日", "他处", "他国",
            "他者", "排他");

    /** Words after which {@code her} is an object ("give her the", "with her."), so it becomes {@code him}. */
    private static final Set<String> AFTER_OBJECT = Set.of("the", "a", "an", "to", "and", "or", "but", "for", "with", "at",
            "in", "on", "from", "that", "this", "up", "out", "back", "again", "too", "as", "about", "by", "when", "if",
            "so", "than", "then", "now", "not", "here", "there", "well", "away", "off", "down", "into", "of", "is", "was",
            "be", "are", "were", "will", "would", "shall", "should", "may", "might", "can", "could", "i", "you", "we",
            "they", "he", "she", "it", "thee", "thou", "me", "my", "what", "how", "why", "where", "who", "which");

    private final Map<String, String> english = new HashMap<>();
    private final Map<String, String> chinese = new HashMap<>();
    private final int longestChinese;

    /** The built-in gender pairs, English and Chinese. */
    public CounterfactualSwap() {
        this(List.of(), true);
    }

    /**
     * The built-in gender pairs when {@code gender}, and {@code pairs} of one's own (two terms each,
     * swapped both ways): single English words, or Chinese terms of any length. A term in two
     * pairs, an English term of several words or with other characters, and a pair of one term
     * are errors naming it.
     */
    public CounterfactualSwap(List<List<String>> pairs, boolean gender) {
        if (gender) {
            for (String[] p : ENGLISH) {
                english.putIfAbsent(p[0], p[1]);
                english.putIfAbsent(p[1], p[0]);
            }
            english.put("her", "her");                // resolved in context: his or him
            english.put("hers", "his");
            for (String[] p : CHINESE) {
                chinese.put(p[0], p[1]);
                chinese.put(p[1], p[0]);
            }
            for (String w : CHINESE_KEEP) {
                chinese.put(w, w);
            }
        }
        java.util.Set<String> own = new java.util.HashSet<>();
        for (List<String> p : pairs) {
            if (p.size() != 2 || p.get(0).isBlank() || p.get(1).isBlank() || p.get(0).equals(p.get(1))) {
                throw new FairnessException("a swap pair needs two different terms, not " + p);
            }
            for (String term : p) {
                if (!own.add(term)) {
                    throw new FairnessException("the term '" + term + "' is in two swap pairs; give each term one partner");
                }
            }
            boolean latin = p.stream().allMatch(t -> t.chars().allMatch(c -> isLatin((char) c)));
            boolean ideographic = p.stream().allMatch(t -> t.codePoints().allMatch(Character::isIdeographic));
            if (latin) {
                english.put(p.get(0).toLowerCase(Locale.ROOT), p.get(1).toLowerCase(Locale.ROOT));
                english.put(p.get(1).toLowerCase(Locale.ROOT), p.get(0).toLowerCase(Locale.ROOT));
            } else if (ideographic) {
                chinese.put(p.get(0), p.get(1));
                chinese.put(p.get(1), p.get(0));
            } else {
                throw new FairnessException("swap pair " + p + ": each term must be one English word (letters only) or"
                        + " Chinese characters");
            }
        }
        int longest = 0;
        for (String k : chinese.keySet()) {
            longest = Math.max(longest, k.length());
        }
        this.longestChinese = longest;
    }

    /** The text with every group term swapped; the same text when it has none. */
    public String swap(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (isLatin(c)) {
                int end = i;
                while (end < n && isLatin(text.charAt(end))) {
                    end++;
                }
                String word = text.substring(i, end);
                out.append(swapWord(word, text, end));
                i = end;
            } else if (Character.isIdeographic(c) && longestChinese > 0) {
                int matched = 0;
                String replacement = null;
                for (int len = Math.min(longestChinese, n - i); len >= 1; len--) {
                    String r = chinese.get(text.substring(i, i + len));
                    if (r != null) {
                        matched = len;
                        replacement = r;
                        break;
                    }
                }
                if (replacement != null) {
                    out.append(replacement);
                    i += matched;
                } else {
                    out.append(c);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Whether the text holds any term this swaps. */
    public boolean hasTerms(String text) {
        return !swap(text).equals(text);
    }

    private String swapWord(String word, String text, int end) {
        String lower = word.toLowerCase(Locale.ROOT);
        String swapped = english.get(lower);
        if (swapped == null) {
            return word;
        }
        if (lower.equals("her")) {
            swapped = ownsNextWord(text, end) ? "his" : "him";
        }
        if (word.equals(word.toUpperCase(Locale.ROOT)) && word.length() > 1) {
            return swapped.toUpperCase(Locale.ROOT);
        }
        if (Character.isUpperCase(word.charAt(0))) {
            return Character.toUpperCase(swapped.charAt(0)) + swapped.substring(1);
        }
        return swapped;
    }

    /** Whether the word after position {@code end} is one {@code her} can own (a noun or adjective). */
    private static boolean ownsNextWord(String text, int end) {
        int i = end;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        if (i == end || i >= text.length() || !isLatin(text.charAt(i))) {
            return false;                               // punctuation or the end: "with her."
        }
        int j = i;
        while (j < text.length() && isLatin(text.charAt(j))) {
            j++;
        }
        return !AFTER_OBJECT.contains(text.substring(i, j).toLowerCase(Locale.ROOT));
    }

    private static boolean isLatin(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
