package dev.hearth.engine.tokenize;

import java.util.Arrays;

/** A growable {@code int[]}: token ids as they are produced, or piece boundaries. */
final class IntArrayBuilder {
    private int[] values;
    private int size;

    IntArrayBuilder() {
        this(16);
    }

    IntArrayBuilder(int capacity) {
        values = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    void add(int a, int b) {
        if (size + 2 > values.length) {
            values = Arrays.copyOf(values, Math.max(size + 2, size * 2));
        }
        values[size] = a;
        values[size + 1] = b;
        size += 2;
    }

    void addAll(int[] src) {
        addAll(src, 0, src.length);
    }

    void addAll(int[] src, int from, int length) {
        if (size + length > values.length) {
            values = Arrays.copyOf(values, Math.max(size + length, size * 2));
        }
        System.arraycopy(src, from, values, size, length);
        size += length;
    }

    int get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
