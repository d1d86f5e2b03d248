package dev.hearth.engine.nn;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * The keys and values one attention layer has seen so far, for generation: new tokens are
 * appended and attention reads the whole prefix, so each step costs one token's projections
 * instead of the whole sequence's. Preallocated for {@code capacity} positions.
 */
public final class KvCache {
    private final int batch;
    private final int capacity;
    private final int kvHeads;
    private final int headDim;
    private final float[] keys;   // (batch, capacity, kvHeads, headDim)
    private final float[] values; // (batch, capacity, kvHeads, headDim)
    private int length;

    public KvCache(int batch, int capacity, int kvHeads, int headDim) {
        long n = (long) batch * capacity * kvHeads * headDim;
        if (n > Integer.MAX_VALUE - 8) {
            throw new HearthException("a KV cache of " + batch + " x " + capacity + " x " + kvHeads + " x " + headDim
                    + " floats is too large; lower the batch or the context length");
        }
        this.batch = batch;
        this.capacity = capacity;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.keys = new float[(int) n];
        this.values = new float[(int) n];
    }

    /** Positions filled so far. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * A cache of the same size holding a copy of the positions filled so far, which then grows
     * on its own: several continuations of one prompt read the prompt once.
     */
    public KvCache copy() {
        KvCache c = new KvCache(batch, capacity, kvHeads, headDim);
        int row = kvHeads * headDim;
        for (int b = 0; b < batch; b++) {
            System.arraycopy(keys, b * capacity * row, c.keys, b * capacity * row, length * row);
            System.arraycopy(values, b * capacity * row, c.values, b * capacity * row, length * row);
        }
        c.length = length;
        return c;
    }

    /**
     * A cache of batch 1 and capacity {@code count} holding a copy of positions
     * [from, from + count) of this one (batch 1): a block of a prompt's prefix, kept for later
     * prompts that start the same way ({@link #appendAll}).
     */
    public KvCache slice(int from, int count) {
        requireOneSequence("slice");
        if (from < 0 || count < 0 || from + count > length) {
            throw new HearthException("positions " + from + ".." + (from + count - 1) + " are not in this cache, which"
                    + " holds " + length);
        }
        KvCache c = new KvCache(1, count, kvHeads, headDim);
        int row = kvHeads * headDim;
        System.arraycopy(keys, from * row, c.keys, 0, count * row);
        System.arraycopy(values, from * row, c.values, 0, count * row);
        c.length = count;
        return c;
    }

    /** Appends every position {@code src} holds (both of batch 1, the same heads and head size). */
    public void appendAll(KvCache src) {
        requireOneSequence("appendAll");
        src.requireOneSequence("appendAll");
        if (src.kvHeads != kvHeads || src.headDim != headDim) {
            throw new HearthException("a cache of " + src.kvHeads + " x " + src.headDim + " keys cannot extend one of "
                    + kvHeads + " x " + headDim);
        }
        if (length + src.length > capacity) {
            throw new HearthException("the KV cache holds " + capacity + " positions; " + length + " are used and "
                    + src.length + " more do not fit");
        }
        int row = kvHeads * headDim;
        System.arraycopy(src.keys, 0, keys, length * row, src.length * row);
        System.arraycopy(src.values, 0, values, length * row, src.length * row);
        length += src.length;
    }

    /** Bytes of its key and value buffers. */
    public long bytes() {
        return 8L * keys.length;
    }

    private void requireOneSequence(String what) {
        if (batch != 1) {
            throw new HearthException(what + " takes a cache of one sequence (newCaches(1, ...)); this one holds "
                    + batch);
        }
    }

    /** Forgets everything (the buffers are reused). */
    public void clear() {
        length = 0;
    }

    /**
     * Appends k and v (batch, T, kvHeads, headDim) and returns views of all keys and values so
     * far, each (batch, length, kvHeads, headDim).
     */
    public Tensor[] append(Tensor k, Tensor v) {
        Shape expect = Shape.of(batch, k.dim(1), kvHeads, headDim);
        if (!k.shape().equals(expect) || !v.shape().equals(expect)) {
            throw ShapeException.of("kv cache append", k.shape(), v.shape(), "expected " + expect + " for both");
        }
        int t = k.dim(1);
        if (length + t > capacity) {
            throw new HearthException("the KV cache holds " + capacity + " positions; " + length + " are used and "
                    + t + " more do not fit (the context length is " + capacity + ")");
        }
        copyIn(k, keys, t);
        copyIn(v, values, t);
        length += t;
        return new Tensor[] {view(keys), view(values)};
    }

    /**
     * Appends one position of a cache of batch 1: a key and a value of kvHeads x headDim floats
     * each, read from {@code k[ko..]} and {@code v[vo..]} (the decode step's way in, without
     * tensors or views).
     */
    void appendOne(float[] k, int ko, float[] v, int vo) {
        requireOneSequence("a decoding step");
        if (length == capacity) {
            throw new HearthException("the KV cache holds " + capacity + " positions, all used; one more does not"
                    + " fit (the context length is " + capacity + ")");
        }
        int row = kvHeads * headDim;
        System.arraycopy(k, ko, keys, length * row, row);
        System.arraycopy(v, vo, values, length * row, row);
        length++;
    }

    /** The key buffer, (batch, capacity, kvHeads, headDim); positions past {@link #length} are stale. */
    float[] keyData() {
        return keys;
    }

    /** The value buffer, laid out as {@link #keyData}. */
    float[] valueData() {
        return values;
    }

    private void copyIn(Tensor x, float[] buf, int t) {
        int row = kvHeads * headDim;
        float[] src = x.contiguous().toFloatArray();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(src, b * t * row, buf, (b * capacity + length) * row, t * row);
        }
    }

    private Tensor view(float[] buf) {
        int row = kvHeads * headDim;
        return Tensor.strided(buf, 0, Shape.of(batch, length, kvHeads, headDim),
                new int[] {capacity * row, row, headDim, 1});
    }
}
