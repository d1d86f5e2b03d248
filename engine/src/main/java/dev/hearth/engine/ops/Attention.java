package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.DecodeAttention;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * Fused scaled-dot-product attention, multi-head and grouped-query, causal or not.
 *
 * <p>Layout: q (B, Tq, H, D), k and v (B, Tk, Hkv, D), out (B, Tq, H, D) — the layout a linear
 * projection produces, so no transposes are needed. H must be a multiple of Hkv; query head h
 * reads key/value head {@code h / (H / Hkv)}. With {@code causal}, query i sits at position
 * {@code i + Tk - Tq} and sees keys 0..that position, which covers both training (Tq = Tk) and
 * decoding with a KV cache (Tq new tokens after Tk - Tq cached ones).
 *
 * <p>{@code padding}, when given, holds for each batch entry the number of leading key positions
 * that are padding (left-padded prompts in a batch): no query sees them, and a query that is
 * itself padding (it sees no key at all) gets a zero output.
 *
 * <p>Like FlashAttention the forward keeps only the log-sum-exp of each score row, and the
 * backward recomputes the probabilities block by block, so memory stays O(B·H·T) rather than
 * O(B·H·T²). Work is split over (batch, key/value head) pairs; everything that accumulates into
 * one key/value head stays on one thread, so results do not depend on the thread count.
 */
public final class Attention {
    private Attention() {}

    /** Query rows per block: the scores of one block are {@code BLOCK x Tk} floats. */
    private static final int BLOCK = 64;

    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal, float scale) {
        return scaledDotProduct(q, k, v, causal, scale, null);
    }

    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal, float scale, int[] padding) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw ShapeException.of("attention", q.shape(), k.shape(), "q, k and v must be (batch, time, heads, head_dim)");
        }
        if (!k.shape().equals(v.shape())) {
            throw ShapeException.of("attention", k.shape(), v.shape(), "k and v must have the same shape");
        }
        int b = q.dim(0);
        int tq = q.dim(1);
        int h = q.dim(2);
        int d = q.dim(3);
        int tk = k.dim(1);
        int hkv = k.dim(2);
        if (k.dim(0) != b || k.dim(3) != d) {
            throw ShapeException.of("attention", q.shape(), k.shape(), "batch and head_dim of q and k must match");
        }
        if (hkv == 0 || h % hkv != 0) {
            throw ShapeException.of("attention", q.shape(), k.shape(), "query heads (" + h
                    + ") must be a multiple of key/value heads (" + hkv + ")");
        }
        if (padding != null && padding.length != b) {
            throw ShapeException.of("attention", q.shape(), "padding has " + padding.length + " entries for a batch of " + b);
        }
        if (causal && tk < tq) {
            throw ShapeException.of("attention", q.shape(), k.shape(), "causal attention needs at least as many keys"
                    + " as queries");
        }
        Tensor qc = packedRows(q);
        Tensor kc = packedRows(k);
        Tensor vc = packedRows(v);
        if (kc.stride(0) != vc.stride(0)) {
            kc = k.contiguous();
            vc = v.contiguous();
        }
        int qBatch = b == 1 ? tq * h * d : qc.stride(0);
        int kBatch = b == 1 ? tk * hkv * d : kc.stride(0);
        Layout l = new Layout(b, tq, tk, h, hkv, d, causal, scale, qc, kc, vc, qBatch, kBatch,
                padding == null ? new int[b] : padding.clone());
        float[] out = new float[b * tq * h * d];
        float[] lse = new float[b * h * tq];
        forward(l, out, lse);
        Tensor y = Tensor.of(out, b, tq, h, d);
        return Autograd.record(y, "attention", new Tensor[] {q, k, v}, g -> backward(l, out, lse, g.contiguous()));
    }

    /**
     * Decoding attention for one sequence: its one new query position attends to the {@code tk}
     * positions of its cache, the query's own key and value among them (the last). q holds the
     * query's H heads of D floats from {@code qo}; keys and values are rows of Hkv x D floats
     * from {@code kvo}, one per position; out receives H x D floats from {@code oo}. Only the
     * key/value heads [kv0, kv1) and their query heads are computed, so a caller can split one
     * sequence's heads over threads. The scores, softmax and weighted sum are those of
     * {@link #scaledDotProduct} for its last query row, bit for bit, computed by
     * {@link DecodeAttention} without the general call's validation, layouts, buffers and
     * per-sequence tensors, which for the small heads of a decode step cost more than the
     * arithmetic. No gradient is recorded. {@code scores} is scratch of at least 4 x tk floats.
     */
    public static void oneQuery(int kv0, int kv1, int h, int hkv, int d, int tk, float scale, float[] q, int qo,
                                float[] keys, float[] values, int kvo, float[] out, int oo, float[] scores) {
        if (tk < 1 || hkv < 1 || h % hkv != 0 || scores.length < 4 * tk || kv0 < 0 || kv1 > hkv || kv0 > kv1) {
            throw new IllegalArgumentException("oneQuery: key/value heads [" + kv0 + ", " + kv1 + ") of " + h
                    + " query heads over " + hkv + " key/value heads, " + tk + " positions, " + scores.length
                    + " scores of scratch (at least 4 per position)");
        }
        DecodeAttention.oneQuery(kv0, kv1, h, hkv, d, tk, scale, q, qo, keys, values, kvo, out, oo, scores);
    }

    /**
     * Shapes and inputs of one attention call. Within a batch entry each input must be row-major
     * (time, heads, head_dim); the batch stride may be larger, as for a KV cache with room left.
     */
    private record Layout(int b, int tq, int tk, int h, int hkv, int d, boolean causal, float scale,
                          Tensor q, Tensor k, Tensor v, int qBatch, int kBatch, int[] padding) {
        int group() {
            return h / hkv;
        }

        /** Offset of q element (bi, t, head, 0) from q's offset; the output uses {@link #oOff}. */
        int qOff(int bi, int t, int head) {
            return bi * qBatch + (t * h + head) * d;
        }

        /** Offset of out / dq element (bi, t, head, 0): these are always packed. */
        int oOff(int bi, int t, int head) {
            return ((bi * tq + t) * h + head) * d;
        }

        /** Offset of k/v element (bi, t, kvHead, 0) from their offsets. */
        int kOff(int bi, int t, int kvHead) {
            return bi * kBatch + (t * hkv + kvHead) * d;
        }

        /** End (exclusive) of the keys query t may see. */
        int keysFor(int t) {
            return causal ? Math.min(tk, t + tk - tq + 1) : tk;
        }

        /** First key batch entry bi may see (keys before it are padding). */
        int firstKey(int bi) {
            return Math.min(padding[bi], tk);
        }
    }

    /** x itself when each batch entry is row-major and k/v share strides, otherwise a row-major copy. */
    private static Tensor packedRows(Tensor x) {
        boolean inner = x.stride(3) == 1 && x.stride(2) == x.dim(3) && x.stride(1) == x.dim(2) * x.dim(3);
        return inner && (x.dim(0) == 1 || x.stride(0) >= x.dim(1) * x.stride(1)) ? x : x.contiguous();
    }

    private static void forward(Layout l, float[] out, float[] lse) {
        float[] qd = l.q.data();
        float[] kd = l.k.data();
        float[] vd = l.v.data();
        int qo = l.q.offset();
        int ko = l.k.offset();
        int vo = l.v.offset();
        int qRow = l.h * l.d;
        int kRow = l.hkv * l.d;
        ComputePool.shared().parallelFor(l.b * l.hkv, (w0, w1) -> {
            float[] s = new float[Math.min(BLOCK, l.tq) * l.tk];       // one query row when decoding
            for (int w = w0; w < w1; w++) {
                int bi = w / l.hkv;
                int kvh = w % l.hkv;
                for (int head = kvh * l.group(); head < (kvh + 1) * l.group(); head++) {
                    for (int t0 = 0; t0 < l.tq; t0 += BLOCK) {
                        int rows = Math.min(BLOCK, l.tq - t0);
                        int keys = l.keysFor(t0 + rows - 1);
                        // S (rows, keys) = scale * Q_blk (rows, D) @ K^T (D, keys)
                        Gemm.sgemm(rows, keys, l.d, l.scale, qd, qo + l.qOff(bi, t0, head), qRow, 1,
                                kd, ko + l.kOff(bi, 0, kvh), 1, kRow, 0f, s, 0, keys);
                        int first = l.firstKey(bi);
                        for (int r = 0; r < rows; r++) {
                            int end = l.keysFor(t0 + r);
                            int so = r * keys;
                            java.util.Arrays.fill(s, so, so + Math.min(first, keys), 0f);
                            java.util.Arrays.fill(s, so + Math.max(end, first), so + keys, 0f);
                            if (end <= first) {
                                lse[(bi * l.h + head) * l.tq + t0 + r] = Float.POSITIVE_INFINITY; // sees nothing
                                continue;
                            }
                            int n = end - first;
                            float max = VectorMath.max(n, s, so + first);
                            float sum = VectorMath.expShiftSum(n, s, so + first, max, s, so + first);
                            VectorMath.scale(n, 1f / sum, s, so + first, s, so + first);
                            lse[(bi * l.h + head) * l.tq + t0 + r] = max + (float) StrictMath.log(sum);
                        }
                        // O_blk (rows, D) = P (rows, keys) @ V (keys, D)
                        Gemm.sgemm(rows, l.d, keys, 1f, s, 0, keys, 1, vd, vo + l.kOff(bi, 0, kvh), kRow, 1,
                                0f, out, l.oOff(bi, t0, head), qRow);
                    }
                }
            }
        });
    }

    private static Tensor[] backward(Layout l, float[] out, float[] lse, Tensor g) {
        float[] qd = l.q.data();
        float[] kd = l.k.data();
        float[] vd = l.v.data();
        float[] gd = g.data();
        int qo = l.q.offset();
        int ko = l.k.offset();
        int vo = l.v.offset();
        int go = g.offset();
        int qRow = l.h * l.d;
        int kRow = l.hkv * l.d;
        float[] dq = new float[l.b * l.tq * l.h * l.d];
        float[] dk = new float[l.b * l.tk * l.hkv * l.d];
        float[] dv = new float[dk.length];
        ComputePool.shared().parallelFor(l.b * l.hkv, (w0, w1) -> {
            float[] p = new float[Math.min(BLOCK, l.tq) * l.tk];
            float[] dp = new float[Math.min(BLOCK, l.tq) * l.tk];
            float[] delta = new float[BLOCK];
            for (int w = w0; w < w1; w++) {
                int bi = w / l.hkv;
                int kvh = w % l.hkv;
                int kBase = l.kOff(bi, 0, kvh);
                int dBase = ((bi * l.tk) * l.hkv + kvh) * l.d; // dk, dv are packed
                for (int head = kvh * l.group(); head < (kvh + 1) * l.group(); head++) {
                    for (int t0 = 0; t0 < l.tq; t0 += BLOCK) {
                        int rows = Math.min(BLOCK, l.tq - t0);
                        int keys = l.keysFor(t0 + rows - 1);
                        int qb = l.qOff(bi, t0, head);
                        int ob = l.oOff(bi, t0, head);
                        // P = exp(scale * Q K^T - lse), zero beyond each row's last visible key.
                        Gemm.sgemm(rows, keys, l.d, l.scale, qd, qo + qb, qRow, 1, kd, ko + kBase, 1, kRow, 0f, p, 0, keys);
                        int first = l.firstKey(bi);
                        for (int r = 0; r < rows; r++) {
                            int end = l.keysFor(t0 + r);
                            int so = r * keys;
                            java.util.Arrays.fill(p, so, so + Math.min(first, keys), 0f);
                            java.util.Arrays.fill(p, so + Math.max(end, first), so + keys, 0f);
                            if (end > first) {
                                float shift = lse[(bi * l.h + head) * l.tq + t0 + r];
                                VectorMath.addScalar(end - first, -shift, p, so + first, p, so + first);
                                VectorMath.exp(end - first, p, so + first, p, so + first);
                            }
                            // delta_r = dO_r . O_r
                            delta[r] = VectorMath.dot(l.d, gd, go + ob + r * qRow, out, ob + r * qRow);
                        }
                        // dV (keys, D) += P^T (keys, rows) @ dO (rows, D)
                        Gemm.sgemm(keys, l.d, rows, 1f, p, 0, 1, keys, gd, go + ob, qRow, 1, 1f, dv, dBase, kRow);
                        // dP (rows, keys) = dO (rows, D) @ V^T (D, keys)
                        Gemm.sgemm(rows, keys, l.d, 1f, gd, go + ob, qRow, 1, vd, vo + kBase, 1, kRow, 0f, dp, 0, keys);
                        // dS = P * (dP - delta) * scale, written over dp
                        for (int r = 0; r < rows; r++) {
                            int so = r * keys;
                            VectorMath.addScalar(keys, -delta[r], dp, so, dp, so);
                            VectorMath.binary(VectorMath.Binary.MUL, keys, dp, so, 1, p, so, 1, dp, so);
                            VectorMath.scale(keys, l.scale, dp, so, dp, so);
                        }
                        // dQ (rows, D) = dS (rows, keys) @ K (keys, D)
                        Gemm.sgemm(rows, l.d, keys, 1f, dp, 0, keys, 1, kd, ko + kBase, kRow, 1, 0f, dq, ob, qRow);
                        // dK (keys, D) += dS^T (keys, rows) @ Q (rows, D)
                        Gemm.sgemm(keys, l.d, rows, 1f, dp, 0, 1, keys, qd, qo + qb, qRow, 1, 1f, dk, dBase, kRow);
                    }
                }
            }
        });
        return new Tensor[] {
            Tensor.of(dq, l.b, l.tq, l.h, l.d),
            Tensor.of(dk, l.b, l.tk, l.hkv, l.d),
            Tensor.of(dv, l.b, l.tk, l.hkv, l.d)};
    }

    /**
     * Rotary position embedding in the "rotate half" convention of Hugging Face's Llama: for
     * x (B, T, H, D), pairs (i, i + D/2) of each head are rotated by angle
     * {@code position * theta^(-2i/D)}. {@code positions} holds T positions shared by every
     * sequence, or B*T positions, one per token.
     */
    public static Tensor rope(Tensor x, int[] positions, float theta) {
        if (x.rank() != 4 || x.dim(3) % 2 != 0) {
            throw ShapeException.of("rope", x.shape(), "x must be (batch, time, heads, head_dim) with an even head_dim");
        }
        int b = x.dim(0);
        int t = x.dim(1);
        int h = x.dim(2);
        int d = x.dim(3);
        if (positions.length != t && positions.length != b * t) {
            throw ShapeException.of("rope", x.shape(), positions.length + " positions were given; pass " + t
                    + " (one per time step) or " + (b * t) + " (one per token)");
        }
        int maxPosition = 0;
        for (int p : positions) {
            if (p < 0) {
                throw ShapeException.of("rope", x.shape(), "position " + p + " is negative; positions count from 0");
            }
            maxPosition = Math.max(maxPosition, p);
        }
        RopeTable table = RopeTable.covering(theta, d, maxPosition);
        boolean shared = positions.length == t;
        Tensor y = rotate(x, table, positions, 1f, shared);
        int[] kept = positions.clone();                       // the caller may reuse its array before backward
        return Autograd.record(y, "rope", new Tensor[] {x}, g -> new Tensor[] {rotate(g, table, kept, -1f, shared)});
    }

    /**
     * The rotation angles' cosines and sines for one (theta, head_dim), positions 0..capacity-1,
     * row p holding {@code cos(p * theta^(-2i/D))} for i < D/2, computed once with StrictMath: a
     * decode step rotates every layer's queries and keys, and computing the angles per call was a
     * visible part of its time. A table is immutable; one covering a larger position replaces it,
     * twice as long.
     */
    private record RopeTable(float theta, int d, int capacity, float[] cos, float[] sin) {
        private static final java.util.concurrent.ConcurrentHashMap<Long, RopeTable> TABLES =
                new java.util.concurrent.ConcurrentHashMap<>();

        static RopeTable covering(float theta, int d, int position) {
            long key = ((long) Float.floatToIntBits(theta) << 32) | d;
            RopeTable t = TABLES.get(key);
            if (t == null || position >= t.capacity) {
                t = TABLES.compute(key, (k, old) -> old != null && position < old.capacity ? old
                        : build(theta, d, Math.max(position + 1, old == null ? 256 : 2 * old.capacity)));
            }
            return t;
        }

        private static RopeTable build(float theta, int d, int capacity) {
            int half = d / 2;
            double[] invFreq = new double[half];
            for (int i = 0; i < half; i++) {
                invFreq[i] = StrictMath.pow(theta, -2.0 * i / d);
            }
            float[] cos = new float[capacity * half];
            float[] sin = new float[capacity * half];
            for (int p = 0; p < capacity; p++) {
                for (int i = 0; i < half; i++) {
                    double a = p * invFreq[i];
                    cos[p * half + i] = (float) StrictMath.cos(a);
                    sin[p * half + i] = (float) StrictMath.sin(a);
                }
            }
            return new RopeTable(theta, d, capacity, cos, sin);
        }
    }

    /** Rotates each (i, i + D/2) pair by +angle (sign 1) or -angle (sign -1). */
    private static Tensor rotate(Tensor x, RopeTable table, int[] positions, float sign, boolean sharedPositions) {
        float[] cos = table.cos();
        float[] sin = table.sin();
        Tensor c = x.contiguous();
        float[] src = c.data();
        int off = c.offset();
        int t = x.dim(1);
        int h = x.dim(2);
        int d = x.dim(3);
        int tokens = x.dim(0) * t;
        float[] out = new float[x.numel()];
        ComputePool.shared().parallelFor(tokens, Math.max(1, 4096 / (h * d)), (k0, k1) ->
                rotateTokens(k0, k1, src, off, out, 0, positions, sharedPositions ? t : 0, h, d, cos, sin, sign));
        return Tensor.of(out, x.shape().toArray());
    }

    /**
     * RoPE in place on raw rows, as a decode step on reused buffers takes it: x holds
     * {@code tokens} rows of h heads of d floats from {@code xo}, token i at {@code positions[i]};
     * the bits of {@link #rope}.
     */
    public static void ropeRows(float[] x, int xo, int tokens, int h, int d, int[] positions, float theta) {
        int maxPosition = 0;
        for (int i = 0; i < tokens; i++) {
            maxPosition = Math.max(maxPosition, positions[i]);
        }
        RopeTable table = RopeTable.covering(theta, d, maxPosition);
        rotateTokens(0, tokens, x, xo, x, xo, positions, 0, h, d, table.cos(), table.sin(), 1f);
    }

    /**
     * Tokens [k0, k1) of src (h heads of d floats each, from {@code so}) rotated into out (from
     * {@code oo}; out may be src): token k is at {@code positions[k % t]} when the positions are
     * shared by a batch of t steps, at {@code positions[k]} when t is 0. Each pair is read before
     * it is written.
     */
    private static void rotateTokens(int k0, int k1, float[] src, int so, float[] out, int oo, int[] positions, int t,
                                     int h, int d, float[] cos, float[] sin, float sign) {
        int half = d / 2;
        for (int tok = k0; tok < k1; tok++) {
            int cb = positions[t > 0 ? tok % t : tok] * half;
            for (int head = 0; head < h; head++) {
                int o = (tok * h + head) * d;
                for (int i = 0; i < half; i++) {
                    float x1 = src[so + o + i];
                    float x2 = src[so + o + i + half];
                    float cs = cos[cb + i];
                    float sn = sign * sin[cb + i];
                    out[oo + o + i] = x1 * cs - x2 * sn;
                    out[oo + o + i + half] = x2 * cs + x1 * sn;
                }
            }
        }
    }
}
