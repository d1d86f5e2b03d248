package dev.hearth.engine.tokenize;

import java.util.Arrays;

/**
 * The merges of a BPE as an open-addressing hash table from the pair of ids (left, right) to
 * (rank, new id), with no boxing: each slot is a {@code long} key followed by its {@code long}
 * value in one array, so a probe reads one cache line (Qwen2's 151k merges make a 5 MB table).
 */
final class MergeTable {
    static final long MISSING = -1L;

    private final long[] slots; // key at 2i, value at 2i + 1; key -1 marks an empty slot
    private final int mask;

    MergeTable(int[] left, int[] right, int[] newIds) {
        int capacity = Integer.highestOneBit(Math.max(4, left.length * 2 - 1)) << 1;
        slots = new long[2 * capacity];
        Arrays.fill(slots, -1L);
        mask = capacity - 1;
        for (int rank = 0; rank < left.length; rank++) {
            put(key(left[rank], right[rank]), ((long) rank << 32) | (newIds[rank] & 0xFFFFFFFFL));
        }
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** A later merge of the same pair replaces an earlier one, as in Hugging Face's map. */
    private void put(long key, long value) {
        int i = slot(key, mask);
        while (slots[2 * i] != -1L && slots[2 * i] != key) {
            i = (i + 1) & mask;
        }
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
    }

    /** {@code rank << 32 | newId}, or {@link #MISSING}. */
    long get(int left, int right) {
        long key = key(left, right);
        int i = slot(key, mask);
        while (true) {
            long k = slots[2 * i];
            if (k == key) {
                return slots[2 * i + 1];
            }
            if (k == -1L) {
                return MISSING;
            }
            i = (i + 1) & mask;
        }
    }
}
