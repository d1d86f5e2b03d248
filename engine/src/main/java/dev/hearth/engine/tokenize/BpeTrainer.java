package dev.hearth.engine.tokenize;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trains a byte-level BPE on a corpus, giving the merges Hugging Face's {@code BpeTrainer} gives
 * on the same words (with {@code initial_alphabet} set to the 256 byte characters, as
 * {@code ByteLevelBPETokenizer} sets it).
 *
 * <ol>
 *   <li>Each document is normalized and pre-tokenized like the tokenizer it trains will encode
 *       (special tokens in the text are ordinary text), and the pieces ("words") are counted.
 *   <li>Ids: the special tokens first in the order given, then the 256 byte tokens in the code
 *       point order of their printable characters (which is byte order for printable ASCII).
 *   <li>Every adjacent pair of symbols in every distinct word is counted, weighted by the word's
 *       count, and the pairs go into a max-heap.
 *   <li>Repeatedly: take the most frequent pair; <b>ties go to the pair whose (left id, right id)
 *       is smallest</b>, compared left id first, which is Hugging Face's rule (its {@code Merge}
 *       ordering). Merged tokens take the next id, so a pair of older tokens wins a tie against a
 *       pair involving a newer one. Merge every occurrence in the words that hold the pair, left
 *       to right without overlap, and update the counts of only the pairs around each occurrence;
 *       stale heap entries are re-pushed with their current count when popped.
 *   <li>Stop when the vocabulary reaches {@code vocabSize}, when no pair is left, or when the best
 *       pair occurs fewer than {@code minFrequency} times; the result says which.
 * </ol>
 *
 * A merge whose concatenation is already a token (reached by another pair) reuses its id and
 * does not grow the vocabulary, as in Hugging Face. Each merge costs time proportional to the
 * occurrences it touches, not to the corpus.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    public static BpeTrainingResult train(Stream<String> documents, BpeTrainingConfig config) {
        return train((Iterable<String>) documents::iterator, config);
    }

    public static BpeTrainingResult train(Iterable<String> documents, BpeTrainingConfig config) {
        long started = System.nanoTime();
        List<String> specials = new ArrayList<>();
        for (String s : config.specialTokens()) {
            if (s.isEmpty()) {
                throw new TokenizerException("a special token cannot be empty; remove it from specialTokens");
            }
            if (s.length() == 1 && ByteLevelAlphabet.byteOf(s.charAt(0)) >= 0) {
                throw new TokenizerException("the special token '" + s + "' is also one of the 256 byte tokens; "
                        + "choose a longer name such as <|" + s + "|>");
            }
            if (!specials.contains(s)) {
                specials.add(s);
            }
        }
        int minimum = specials.size() + 256;
        if (config.vocabSize() < minimum) {
            throw new TokenizerException("vocabSize " + config.vocabSize()
                    + " is smaller than the 256 byte tokens plus " + specials.size() + " special tokens; ask for at least " + minimum);
        }

        // 1. Count words.
        ByteLevelPreTokenizer preTokenizer = config.preTokenizer();
        WordCounter wordCounts = new WordCounter();
        MessageDigest sha = sha256();
        long documentCount = 0;
        long byteCount = 0;
        long wordCount = 0;
        IntArrayBuilder bounds = new IntArrayBuilder(1024);
        IntArrayBuilder spare = new IntArrayBuilder(1024);
        for (String doc : documents) {
            try {
                SurrogateEscape.requireWellFormed(doc);
            } catch (TokenizerException e) {
                throw new TokenizerException("document " + documentCount + ": " + e.getMessage(), e);
            }
            byte[] utf8 = doc.getBytes(StandardCharsets.UTF_8);
            sha.update(utf8);
            byteCount += utf8.length;
            documentCount++;
            char[] buf = preTokenizer.split(config.normalizer().normalize(doc), bounds, spare);
            for (int k = 0; k < bounds.size(); k += 2) {
                wordCounts.add(buf, bounds.get(k), bounds.get(k + 1));
            }
            wordCount += bounds.size() / 2;
        }

        // 2. Initial vocabulary: specials, then the byte alphabet in code point order.
        List<String> tokens = new ArrayList<>(config.vocabSize());
        Map<String, Integer> tokenIds = new HashMap<>();
        for (String s : specials) {
            tokenIds.put(s, tokens.size());
            tokens.add(s);
        }
        int[] byteToId = new int[256];
        for (char c : ByteLevelAlphabet.charsInCodePointOrder()) {
            byteToId[ByteLevelAlphabet.byteOf(c)] = tokens.size();
            tokenIds.put(String.valueOf(c), tokens.size());
            tokens.add(String.valueOf(c));
        }

        // 3. Words as symbol ids.
        int distinct = wordCounts.size();
        Words words = new Words(distinct);
        byte[] scratch = new byte[64];
        char[] text = wordCounts.text();
        for (int w = 0; w < distinct; w++) {
            int len = wordCounts.length(w);
            if (scratch.length < 3 * len) {
                scratch = new byte[3 * len];
            }
            int n = SurrogateEscape.appendUtf8(text, wordCounts.start(w), wordCounts.start(w) + len, scratch);
            int[] sym = new int[n];
            for (int i = 0; i < n; i++) {
                sym[i] = byteToId[scratch[i] & 0xFF];
            }
            words.add(sym, wordCounts.count(w));
        }
        wordCounts = null;

        // 4-5. Merge.
        Merger merger = new Merger(words, tokens, tokenIds, config);
        BpeTrainingResult.StopReason reason = merger.run();

        String[] vocab = tokens.toArray(String[]::new);
        BpeModel model = new BpeModel(vocab, tokenIds, merger.left.toArray(), merger.right.toArray(),
                merger.created.toArray(), null, false, false, null, null);
        List<AddedToken> added = new ArrayList<>();
        for (String s : specials) {
            added.add(AddedToken.special(tokenIds.get(s), s));
        }
        ByteLevelBpeTokenizer tokenizer = new ByteLevelBpeTokenizer(model, config.normalizer(), preTokenizer,
                new ByteLevelOptions(true, true, true), null, new AddedTokens(added), null, null);
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new BpeTrainingResult(tokenizer, config, reason, vocab.length, merger.left.size(), documentCount,
                byteCount, wordCount, distinct, HexFormat.of().formatHex(sha.digest()), millis);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The distinct words: symbols (merged in place), lengths and counts. */
    private static final class Words {
        final int[][] symbols;
        final int[] length;
        final long[] count;
        int size;

        Words(int capacity) {
            symbols = new int[capacity][];
            length = new int[capacity];
            count = new long[capacity];
        }

        void add(int[] sym, long c) {
            symbols[size] = sym;
            length[size] = sym.length;
            count[size] = c;
            size++;
        }
    }

    /** The merge loop with its pair statistics. */
    private static final class Merger {
        private final Words words;
        private final List<String> tokens;
        private final Map<String, Integer> tokenIds;
        private final BpeTrainingConfig config;
        final IntArrayBuilder left = new IntArrayBuilder(1024);
        final IntArrayBuilder right = new IntArrayBuilder(1024);
        final IntArrayBuilder created = new IntArrayBuilder(1024);

        // Pairs, indexed densely: key (left << 32 | right), count, and the words that may hold them.
        private final PairIndex index = new PairIndex();
        private long[] pairKey = new long[1 << 16];
        private long[] pairCount = new long[1 << 16];
        private int[][] pairWords = new int[1 << 16][];
        private int[] pairWordsSize = new int[1 << 16];
        private int[] pairStamp = new int[1 << 16];
        private int pairs;

        private final PairHeap heap = new PairHeap();
        private final int[] wordStamp;
        private int stamp;
        private final IntArrayBuilder touched = new IntArrayBuilder(1024);

        Merger(Words words, List<String> tokens, Map<String, Integer> tokenIds, BpeTrainingConfig config) {
            this.words = words;
            this.tokens = tokens;
            this.tokenIds = tokenIds;
            this.config = config;
            this.wordStamp = new int[words.size];
        }

        BpeTrainingResult.StopReason run() {
            for (int w = 0; w < words.size; w++) {
                int[] s = words.symbols[w];
                long c = words.count[w];
                for (int i = 0; i + 1 < words.length[w]; i++) {
                    int p = pairOf(s[i], s[i + 1]);
                    pairCount[p] += c;
                    addWord(p, w);
                }
            }
            for (int p = 0; p < pairs; p++) {
                heap.push(pairCount[p], pairKey[p], p);
            }
            long minFrequency = Math.max(1, config.minFrequency());
            while (true) {
                if (tokens.size() >= config.vocabSize()) {
                    return BpeTrainingResult.StopReason.VOCAB_SIZE_REACHED;
                }
                if (heap.isEmpty()) {
                    return BpeTrainingResult.StopReason.NO_PAIRS_LEFT;
                }
                long count = heap.topCount();
                int p = heap.pop();
                if (count != pairCount[p]) {
                    if (pairCount[p] > 0) {
                        heap.push(pairCount[p], pairKey[p], p);
                    }
                    continue;
                }
                if (count < minFrequency) {
                    return BpeTrainingResult.StopReason.BELOW_MIN_FREQUENCY;
                }
                merge(p);
            }
        }

        private void merge(int p) {
            int a = (int) (pairKey[p] >>> 32);
            int b = (int) pairKey[p];
            String joined = tokens.get(a) + tokens.get(b);
            Integer existing = tokenIds.get(joined);
            int newId;
            if (existing != null) {
                newId = existing;
            } else {
                newId = tokens.size();
                tokens.add(joined);
                tokenIds.put(joined, newId);
            }
            left.add(a);
            right.add(b);
            created.add(newId);

            stamp++;
            touched.clear();
            int[] ws = pairWords[p];
            int n = pairWordsSize[p];
            pairWords[p] = null;
            pairWordsSize[p] = 0;
            for (int k = 0; k < n; k++) {
                int w = ws[k];
                if (wordStamp[w] != stamp) {
                    wordStamp[w] = stamp;
                    mergeInWord(w, a, b, newId);
                }
            }
            for (int k = 0; k < touched.size(); k++) {
                int q = touched.get(k);
                if (pairCount[q] > 0) {
                    heap.push(pairCount[q], pairKey[q], q);
                }
            }
        }

        /**
         * Merges every (a, b) in word w, left to right, updating only the pairs next to each
         * occurrence: (L, a) and (b, R) disappear, (L, new) and (new, R) appear, where L is the
         * symbol now to the left (possibly the new token of the previous occurrence) and R the
         * original symbol to the right.
         */
        private void mergeInWord(int w, int a, int b, int newId) {
            int[] s = words.symbols[w];
            int n = words.length[w];
            long c = words.count[w];
            int o = 0;
            int i = 0;
            boolean found = false;
            while (i < n) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    found = true;
                    pairCount[pairOf(a, b)] -= c;
                    if (o > 0) {
                        int l = s[o - 1];
                        pairCount[pairOf(l, a)] -= c;
                        gain(pairOf(l, newId), c, w);
                    }
                    if (i + 2 < n) {
                        int r = s[i + 2];
                        pairCount[pairOf(b, r)] -= c;
                        gain(pairOf(newId, r), c, w);
                    }
                    s[o++] = newId;
                    i += 2;
                } else {
                    s[o++] = s[i++];
                }
            }
            if (found) {
                words.length[w] = o;
            }
        }

        private void gain(int q, long c, int w) {
            pairCount[q] += c;
            addWord(q, w);
            if (pairStamp[q] != stamp) {
                pairStamp[q] = stamp;
                touched.add(q);
            }
        }

        private void addWord(int p, int w) {
            int[] list = pairWords[p];
            int size = pairWordsSize[p];
            if (list == null) {
                list = new int[2];
                pairWords[p] = list;
            } else if (list[size - 1] == w) {
                return;
            } else if (size == list.length) {
                list = Arrays.copyOf(list, size * 2);
                pairWords[p] = list;
            }
            list[size] = w;
            pairWordsSize[p] = size + 1;
        }

        private int pairOf(int l, int r) {
            long key = MergeTable.key(l, r);
            int p = index.get(key);
            if (p >= 0) {
                return p;
            }
            p = pairs++;
            if (p == pairKey.length) {
                int cap = p * 2;
                pairKey = Arrays.copyOf(pairKey, cap);
                pairCount = Arrays.copyOf(pairCount, cap);
                pairWords = Arrays.copyOf(pairWords, cap);
                pairWordsSize = Arrays.copyOf(pairWordsSize, cap);
                pairStamp = Arrays.copyOf(pairStamp, cap);
            }
            pairKey[p] = key;
            index.put(key, p);
            return p;
        }
    }

    /** Open-addressing map from a pair key to its dense index. */
    private static final class PairIndex {
        private long[] keys = filled(1 << 17);
        private int[] values = new int[1 << 17];
        private int size;

        private static long[] filled(int n) {
            long[] a = new long[n];
            Arrays.fill(a, -1L);
            return a;
        }

        private static int slot(long key, int mask) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29)) & mask;
        }

        int get(long key) {
            int mask = keys.length - 1;
            int i = slot(key, mask);
            while (true) {
                long k = keys[i];
                if (k == key) {
                    return values[i];
                }
                if (k == -1L) {
                    return -1;
                }
                i = (i + 1) & mask;
            }
        }

        void put(long key, int value) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = slot(key, mask);
            while (keys[i] != -1L && keys[i] != key) {
                i = (i + 1) & mask;
            }
            if (keys[i] == -1L) {
                size++;
            }
            keys[i] = key;
            values[i] = value;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldValues = values;
            keys = filled(oldKeys.length * 2);
            values = new int[oldKeys.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != -1L) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
    }

    /** A max-heap of (count, pair): higher count first, then smaller (left id, right id). */
    private static final class PairHeap {
        private long[] counts = new long[1 << 16];
        private long[] keys = new long[1 << 16];
        private int[] pairs = new int[1 << 16];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        long topCount() {
            return counts[0];
        }

        private static boolean before(long c1, long k1, long c2, long k2) {
            return c1 > c2 || (c1 == c2 && k1 < k2);
        }

        void push(long count, long key, int pair) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, size * 2);
                keys = Arrays.copyOf(keys, size * 2);
                pairs = Arrays.copyOf(pairs, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(count, key, counts[parent], keys[parent])) {
                    break;
                }
                counts[i] = counts[parent];
                keys[i] = keys[parent];
                pairs[i] = pairs[parent];
                i = parent;
            }
            counts[i] = count;
            keys[i] = key;
            pairs[i] = pair;
        }

        int pop() {
            int top = pairs[0];
            size--;
            long c = counts[size];
            long k = keys[size];
            int p = pairs[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && before(counts[child + 1], keys[child + 1], counts[child], keys[child])) {
                    child++;
                }
                if (!before(counts[child], keys[child], c, k)) {
                    break;
                }
                counts[i] = counts[child];
                keys[i] = keys[child];
                pairs[i] = pairs[child];
                i = child;
            }
            counts[i] = c;
            keys[i] = k;
            pairs[i] = p;
            return top;
        }
    }
}
