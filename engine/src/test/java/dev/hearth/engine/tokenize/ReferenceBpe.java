package dev.hearth.engine.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slow, obviously-correct BPE written independently of the production code, to compare with:
 * java.util.regex for splitting, GPT-2's bytes_to_unicode written out again, a trainer that
 * recounts every pair at every merge, and GPT-2's original encoder loop.
 */
final class ReferenceBpe {
    private ReferenceBpe() {}

    static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    static List<String> findAll(Pattern p, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** GPT-2's bytes_to_unicode, as in encoder.py. */
    static char[] bytesToUnicode() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs.add(b);
        }
        char[] map = new char[256];
        for (int b : bs) {
            map[b] = (char) b;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                map[b] = (char) (256 + n++);
            }
        }
        return map;
    }

    static String byteLevel(String piece) {
        char[] map = bytesToUnicode();
        StringBuilder sb = new StringBuilder();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            sb.append(map[b & 0xFF]);
        }
        return sb.toString();
    }

    /** Byte-level words of the documents with their counts. */
    static Map<String, Long> wordCounts(List<String> documents) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String d : documents) {
            for (String piece : findAll(GPT2, d)) {
                counts.merge(byteLevel(piece), 1L, Long::sum);
            }
        }
        return counts;
    }

    /**
     * The merges Hugging Face's rule gives: at each step count every adjacent pair afresh, take
     * the largest count, ties to the smallest (left id, right id).
     */
    static List<BpeMerge> train(List<String> documents, List<String> specials, int vocabSize, int minFrequency) {
        List<String> vocab = new ArrayList<>(specials);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        char[] map = bytesToUnicode();
        char[] sorted = map.clone();
        java.util.Arrays.sort(sorted);
        for (char c : sorted) {
            ids.put(String.valueOf(c), vocab.size());
            vocab.add(String.valueOf(c));
        }
        List<List<Integer>> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts(documents).forEach((w, c) -> {
            List<Integer> syms = new ArrayList<>();
            for (char ch : w.toCharArray()) {
                syms.add(ids.get(String.valueOf(ch)));
            }
            words.add(syms);
            counts.add(c);
        });
        List<BpeMerge> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            Map<Long, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<Integer> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(((long) s.get(i) << 32) | s.get(i + 1), counts.get(w), Long::sum);
                }
            }
            long bestKey = -1;
            long bestCount = 0;
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < bestKey)) {
                    bestKey = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (bestCount == 0 || bestCount < Math.max(1, minFrequency)) {
                break;
            }
            int a = (int) (bestKey >>> 32);
            int b = (int) bestKey;
            String joined = vocab.get(a) + vocab.get(b);
            int id = ids.computeIfAbsent(joined, k -> {
                vocab.add(k);
                return vocab.size() - 1;
            });
            merges.add(new BpeMerge(vocab.get(a), vocab.get(b)));
            for (List<Integer> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i) == a && s.get(i + 1) == b) {
                        s.set(i, id);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    /** GPT-2's encoder.py bpe(): merge the lowest-ranked pair everywhere, left to right, until none is left. */
    static List<String> encodeWord(String byteLevelWord, List<BpeMerge> merges) {
        Map<String, Integer> ranks = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) {
            ranks.put(merges.get(r).left() + "\u0000" + merges.get(r).right(), r);
        }
        List<String> word = new ArrayList<>();
        for (char c : byteLevelWord.toCharArray()) {
            word.add(String.valueOf(c));
        }
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + "\u0000" + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> next = new ArrayList<>();
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    next.add(first + second);
                    i += 2;
                } else {
                    next.add(word.get(i));
                    i++;
                }
            }
            word = next;
        }
        return word;
    }
}
