package dev.hearth.engine.tokenize;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte-level BPE model: the vocabulary (token strings in GPT-2's printable byte alphabet),
 * the merges in rank order, and the merge loop of Hugging Face's {@code BPE} model.
 *
 * <p>A word (one pre-tokenized piece) starts as one symbol per byte; then, as Hugging Face's
 * {@code Word::merge_all} does, the adjacent pair with the lowest merge rank is merged, the
 * leftmost first among equal ranks, until no adjacent pair has a merge. A heap keyed by (rank,
 * position) makes this O(n log n) in the word's length, which matters for CJK text where a whole
 * clause is one word. With {@code ignoreMerges} (Llama 3), a word that is itself in the
 * vocabulary becomes that one id.
 *
 * <p>Immutable and safe for concurrent use.
 */
final class BpeModel {
    final String[] vocab;                 // id -> token, null where the id is not in the model's vocab
    final Map<String, Integer> ids;       // token -> id
    final int[] mergeLeft;                // by rank
    final int[] mergeRight;
    final int[] mergeNew;
    final MergeTable table;
    final int[] byteIds;                  // byte -> id of its one-character token, -1 if absent
    final String unkToken;                // null when none
    final int unkId;                      // -1 when none
    final boolean fuseUnk;
    final boolean ignoreMerges;
    final String continuingSubwordPrefix; // kept as read (null or ""), for saving
    final String endOfWordSuffix;

    BpeModel(String[] vocab, Map<String, Integer> ids, int[] mergeLeft, int[] mergeRight, int[] mergeNew,
            String unkToken, boolean fuseUnk, boolean ignoreMerges, String continuingSubwordPrefix,
            String endOfWordSuffix) {
        this.vocab = vocab;
        this.ids = Collections.unmodifiableMap(new HashMap<>(ids));
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeNew = mergeNew;
        this.table = new MergeTable(mergeLeft, mergeRight, mergeNew);
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevelAlphabet.charOf(b)));
            byteIds[b] = id == null ? -1 : id;
        }
        this.unkToken = unkToken;
        Integer unk = unkToken == null ? null : ids.get(unkToken);
        this.unkId = unk == null ? -1 : unk;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
    }

    int mergeCount() {
        return mergeLeft.length;
    }

    /** The merges as token pairs in rank order. */
    List<String[]> mergePairs() {
        String[][] pairs = new String[mergeLeft.length][];
        for (int r = 0; r < pairs.length; r++) {
            pairs[r] = new String[] {vocab[mergeLeft[r]], vocab[mergeRight[r]]};
        }
        return Arrays.asList(pairs);
    }

    /** Reusable arrays for one encode call (not shared between threads). */
    static final class Scratch {
        byte[] bytes = new byte[64];
        int[] sym = new int[64];
        int[] next = new int[64];
        int[] prev = new int[64];
        long[] heap = new long[3 * 64 + 3];

        /** Room for a word of {@code chars} UTF-16 units: at most 3 bytes each, 3 heap entries per byte. */
        void ensure(int chars) {
            int n = 3 * chars;
            if (bytes.length < n) {
                bytes = new byte[n];
                sym = new int[n];
                next = new int[n];
                prev = new int[n];
                heap = new long[3 * n + 3];
            }
        }
    }

    /**
     * Encodes the UTF-8 bytes {@code bytes[0, n)} of one word, whose text is {@code text[from,
     * to)} (for messages), and returns its ids. {@code sc} must have room for the word.
     */
    int[] encodeWord(byte[] bytes, int n, Scratch sc, char[] text, int from, int to) {
        if (ignoreMerges) {
            Integer whole = ids.get(ByteLevelAlphabet.encode(bytes, 0, n));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] sym = sc.sym;
        int len = 0;
        boolean lastWasUnk = false;
        for (int i = 0; i < n; i++) {
            int id = byteIds[bytes[i] & 0xFF];
            if (id >= 0) {
                sym[len++] = id;
                lastWasUnk = false;
            } else if (unkId >= 0) {
                if (!(fuseUnk && lastWasUnk)) {
                    sym[len++] = unkId;
                }
                lastWasUnk = true;
            } else {
                throw new TokenizerException(String.format(
                        "byte 0x%02X (token '%c') of the piece \"%s\" is not in the vocabulary and the model has "
                                + "no unk_token; a byte-level vocabulary needs all 256 byte tokens, so add it or "
                                + "set model.unk_token",
                        bytes[i] & 0xFF, ByteLevelAlphabet.charOf(bytes[i]), new String(text, from, to - from)));
            }
        }
        len = merge(sym, len, sc);
        return Arrays.copyOf(sym, len);
    }

    /** Hugging Face's {@code merge_all} over {@code sym[0, n)}; returns the merged length. */
    private int merge(int[] sym, int n, Scratch sc) {
        if (n < 2) {
            return n;
        }
        int[] next = sc.next;
        int[] prev = sc.prev;
        long[] heap = sc.heap;
        int size = 0;
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            long m = table.get(sym[i], sym[i + 1]);
            if (m != MergeTable.MISSING) {
                size = push(heap, size, (m & 0xFFFFFFFF00000000L) | i);
            }
        }
        while (size > 0) {
            long top = heap[0];
            size = pop(heap, size);
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (sym[pos] < 0) {
                continue; // merged into its left neighbour
            }
            int right = next[pos];
            if (right < 0) {
                continue;
            }
            long m = table.get(sym[pos], sym[right]);
            int newId = mergeNew[rank];
            if (m == MergeTable.MISSING || (int) m != newId) {
                continue; // stale: the pair at pos has changed
            }
            sym[pos] = newId;
            sym[right] = -1;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
            }
            int before = prev[pos];
            if (before >= 0) {
                long mb = table.get(sym[before], newId);
                if (mb != MergeTable.MISSING) {
                    size = push(heap, size, (mb & 0xFFFFFFFF00000000L) | before);
                }
            }
            if (after >= 0) {
                long ma = table.get(newId, sym[after]);
                if (ma != MergeTable.MISSING) {
                    size = push(heap, size, (ma & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        int out = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            sym[out++] = sym[i];
        }
        return out;
    }

    private static int push(long[] heap, int size, long v) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        return size;
    }
}
