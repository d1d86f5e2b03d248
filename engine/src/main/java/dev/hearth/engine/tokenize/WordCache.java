package dev.hearth.engine.tokenize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The ids of recently encoded pre-tokenized pieces ("words"), so frequent words skip the merge
 * loop. A fixed-size, lossy table that any number of threads share without locks.
 *
 * <p>Each entry is one {@code int[]}: {@code [hash, key length, id count, key chars..., ids...]},
 * so a hit touches one object rather than three (a lookup is bound by memory latency once the
 * table outgrows the CPU caches). Entries are never changed after publication, and they are
 * published with release/acquire ordering, so a reader sees either no entry or a complete one. A
 * lookup probes four slots; an insert into a full neighbourhood evicts the entry at the home slot.
 */
final class WordCache {
    /** Longer pieces are rarely repeated (a Chinese clause, a long number) and are not cached. */
    static final int MAX_WORD_CHARS = 32;
    private static final int PROBES = 4;
    private static final int HEADER = 3;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[][].class);

    private final int[][] slots;
    private final int mask;

    WordCache(int capacity) {
        int size = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        slots = new int[size][];
        mask = size - 1;
    }

    static int hash(char[] s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s[i];
        }
        return h ^ (h >>> 15);
    }

    /** Appends the cached ids of {@code s[from, to)} to {@code out} and returns true, or returns false on a miss. */
    boolean appendTo(char[] s, int from, int to, int hash, IntArrayBuilder out) {
        int len = to - from;
        for (int p = 0; p < PROBES; p++) {
            int[] e = (int[]) SLOT.getAcquire(slots, (hash + p) & mask);
            if (e == null) {
                return false;
            }
            if (e[0] == hash && e[1] == len && sameKey(e, s, from, len)) {
                out.addAll(e, HEADER + len, e[2]);
                return true;
            }
        }
        return false;
    }

    private static boolean sameKey(int[] e, char[] s, int from, int len) {
        for (int i = 0; i < len; i++) {
            if (e[HEADER + i] != s[from + i]) {
                return false;
            }
        }
        return true;
    }

    void put(char[] s, int from, int to, int hash, int[] ids) {
        int len = to - from;
        int[] e = new int[HEADER + len + ids.length];
        e[0] = hash;
        e[1] = len;
        e[2] = ids.length;
        for (int i = 0; i < len; i++) {
            e[HEADER + i] = s[from + i];
        }
        System.arraycopy(ids, 0, e, HEADER + len, ids.length);
        for (int p = 0; p < PROBES; p++) {
            int i = (hash + p) & mask;
            if (SLOT.getAcquire(slots, i) == null) {
                SLOT.setRelease(slots, i, e);
                return;
            }
        }
        SLOT.setRelease(slots, hash & mask, e);
    }
}
