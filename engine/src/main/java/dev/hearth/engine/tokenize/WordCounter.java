package dev.hearth.engine.tokenize;

import java.util.Arrays;

/**
 * Counts distinct pre-tokenized pieces for training without allocating per piece: the text of
 * each distinct word is copied once into one growing {@code char[]}, and an open-addressing table
 * of word indices finds it again by hash. Single-threaded.
 */
final class WordCounter {
    private char[] text = new char[1 << 16];
    private int textSize;
    private int[] start = new int[1 << 12];  // word -> offset in text; start[w + 1] - start[w] is its length
    private int[] hashes = new int[1 << 12];
    private long[] counts = new long[1 << 12];
    private int words;
    private int[] table = filled(1 << 13);   // slot -> word index, -1 when empty

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    void add(char[] s, int from, int to) {
        int h = WordCache.hash(s, from, to);
        int mask = table.length - 1;
        int i = (h * 0x9E3779B9) >>> 7 & mask;
        int len = to - from;
        while (true) {
            int w = table[i];
            if (w < 0) {
                break;
            }
            if (hashes[w] == h && length(w) == len
                    && Arrays.equals(text, start[w], start[w] + len, s, from, to)) {
                counts[w]++;
                return;
            }
            i = (i + 1) & mask;
        }
        if (words + 2 > start.length) {
            start = Arrays.copyOf(start, start.length * 2);
            hashes = Arrays.copyOf(hashes, hashes.length * 2);
            counts = Arrays.copyOf(counts, counts.length * 2);
        }
        if (textSize + len > text.length) {
            text = Arrays.copyOf(text, Math.max(text.length * 2, textSize + len));
        }
        System.arraycopy(s, from, text, textSize, len);
        int w = words++;
        start[w] = textSize;
        textSize += len;
        start[w + 1] = textSize;
        hashes[w] = h;
        counts[w] = 1;
        table[i] = w;
        if (2 * words > table.length) {
            rehash();
        }
    }

    private void rehash() {
        table = filled(table.length * 2);
        int mask = table.length - 1;
        for (int w = 0; w < words; w++) {
            int i = (hashes[w] * 0x9E3779B9) >>> 7 & mask;
            while (table[i] >= 0) {
                i = (i + 1) & mask;
            }
            table[i] = w;
        }
    }

    int size() {
        return words;
    }

    int length(int w) {
        return start[w + 1] - start[w];
    }

    long count(int w) {
        return counts[w];
    }

    /** The characters of all words; word w is {@code text()[start(w), start(w) + length(w))}. */
    char[] text() {
        return text;
    }

    int start(int w) {
        return start[w];
    }
}
