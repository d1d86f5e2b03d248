package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention of one new query position over a sequence's cached keys and values, the inner
 * loop of a decode step, fused for small heads: the query heads that share a key/value head
 * (grouped-query attention) are computed two at a time, so each cached key and value is loaded
 * once for both; the softmax's maximum is taken while scoring and its normalisation while
 * weighing the values, and the weighted sum keeps its sums in registers. Every result has the
 * bits of the general path ({@link Gemm#sgemm} for the scores and the weighted sum,
 * {@link VectorMath} for the softmax): each score is the dot product of Gemm's matrix-vector
 * kernel (lane partial sums, folded, then the tail), each output element a multiply-add chain
 * over the positions in order. On the demo model's heads (32 floats, two query heads per
 * key/value head) one call took 0.8 against 1.1 µs for 56 cached positions, and 0.37 against
 * 0.68 µs for 25, with the general path's matrix-vector products, buffers and separate passes.
 */
public final class DecodeAttention {
    private DecodeAttention() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    /**
     * Attention for key/value heads [kv0, kv1) of one query: q holds H heads of D floats from
     * {@code qo}; the cache holds tk rows of Hkv x D floats from {@code kvo} in {@code keys} and
     * {@code values}; out receives H x D floats from {@code oo}. {@code scores} is scratch of at
     * least 4 x tk floats. The caller checks the shapes. The range's query heads go four at a
     * time (with two key/value heads of two query heads each, as in the demo model, that reads
     * each cached row whole, in order), then two, then one.
     */
    public static void oneQuery(int kv0, int kv1, int h, int hkv, int d, int tk, float scale, float[] q, int qo,
                                float[] keys, float[] values, int kvo, float[] out, int oo, float[] scores) {
        int row = hkv * d;
        int group = h / hkv;
        int head = kv0 * group;
        int last = kv1 * group;
        for (; head + 4 <= last; head += 4) {
            four(tk, d, row, scale, q, qo + head * d, keys, values, kvo + head / group * d,
                    kvo + (head + 1) / group * d, kvo + (head + 2) / group * d, kvo + (head + 3) / group * d,
                    out, oo + head * d, scores);
        }
        if (head + 2 <= last) {
            pair(tk, d, row, scale, q, qo + head * d, keys, values, kvo + head / group * d,
                    kvo + (head + 1) / group * d, out, oo + head * d, scores);
            head += 2;
        }
        if (head < last) {
            one(tk, d, row, scale, q, qo + head * d, keys, values, kvo + head / group * d, out, oo + head * d,
                    scores);
        }
    }

    /**
     * Four query heads, consecutive from {@code qa}, over the cached keys and values at offsets
     * k0..k3 of each row (their key/value heads; equal when heads share one): {@link #pair} for
     * four. Each head's operations and their order are those of {@link #one}; the maxima are
     * taken after scoring (a maximum is exact in any order). In three methods, not one: C1 runs
     * out of registers on the whole, and a method it cannot compile never reaches C2.
     */
    private static void four(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, float[] values,
                             int k0, int k1, int k2, int k3, float[] out, int oa, float[] s) {
        scoreFour(tk, d, row, scale, q, qa, keys, k0, k1, k2, k3, s);
        float inv0 = 1f / VectorMath.expShiftSum(tk, s, 0, VectorMath.max(tk, s, 0), s, 0);
        float inv1 = 1f / VectorMath.expShiftSum(tk, s, tk, VectorMath.max(tk, s, tk), s, tk);
        float inv2 = 1f / VectorMath.expShiftSum(tk, s, 2 * tk, VectorMath.max(tk, s, 2 * tk), s, 2 * tk);
        float inv3 = 1f / VectorMath.expShiftSum(tk, s, 3 * tk, VectorMath.max(tk, s, 3 * tk), s, 3 * tk);
        weighFour(tk, d, row, values, k0, k1, k2, k3, s, inv0, inv1, inv2, inv3, out, oa);
    }

    /** The scaled scores of {@link #four}'s heads: head i's in s[i tk, (i + 1) tk). */
    private static void scoreFour(int tk, int d, int row, float scale, float[] q, int qa, float[] keys,
                                  int k0, int k1, int k2, int k3, float[] s) {
        int qb = qa + d;
        int qc = qb + d;
        int qd = qc + d;
        int dv = S.loopBound(d);
        for (int j = 0; j < tk; j++) {
            int r = j * row;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int p = 0; p < dv; p += V) {
                a0 = FloatVector.fromArray(S, keys, k0 + r + p).fma(FloatVector.fromArray(S, q, qa + p), a0);
                a1 = FloatVector.fromArray(S, keys, k1 + r + p).fma(FloatVector.fromArray(S, q, qb + p), a1);
                a2 = FloatVector.fromArray(S, keys, k2 + r + p).fma(FloatVector.fromArray(S, q, qc + p), a2);
                a3 = FloatVector.fromArray(S, keys, k3 + r + p).fma(FloatVector.fromArray(S, q, qd + p), a3);
            }
            float s0 = Gemm.sumLanes(a0);
            float s1 = Gemm.sumLanes(a1);
            float s2 = Gemm.sumLanes(a2);
            float s3 = Gemm.sumLanes(a3);
            for (int p = dv; p < d; p++) {
                s0 = Math.fma(q[qa + p], keys[k0 + r + p], s0);
                s1 = Math.fma(q[qb + p], keys[k1 + r + p], s1);
                s2 = Math.fma(q[qc + p], keys[k2 + r + p], s2);
                s3 = Math.fma(q[qd + p], keys[k3 + r + p], s3);
            }
            s[j] = scale * s0;
            s[tk + j] = scale * s1;
            s[2 * tk + j] = scale * s2;
            s[3 * tk + j] = scale * s3;
        }
    }

    /**
     * {@link #four}'s weighted sums of values: head i's output at {@code oa + i d} is the sum over
     * positions j of s[i tk + j] inv_i times the value at offset k_i of row j, in order.
     */
    private static void weighFour(int tk, int d, int row, float[] values, int k0, int k1, int k2, int k3, float[] s,
                                  float inv0, float inv1, float inv2, float inv3, float[] out, int oa) {
        int ob = oa + d;
        int oc = ob + d;
        int od = oc + d;
        int c = 0;
        for (; c + 2 * V <= d; c += 2 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            for (int j = 0; j < tk; j++) {
                int r = j * row + c;
                FloatVector p0 = FloatVector.broadcast(S, s[j] * inv0);
                FloatVector p1 = FloatVector.broadcast(S, s[tk + j] * inv1);
                FloatVector p2 = FloatVector.broadcast(S, s[2 * tk + j] * inv2);
                FloatVector p3 = FloatVector.broadcast(S, s[3 * tk + j] * inv3);
                a0 = FloatVector.fromArray(S, values, k0 + r).fma(p0, a0);
                a1 = FloatVector.fromArray(S, values, k0 + r + V).fma(p0, a1);
                b0 = FloatVector.fromArray(S, values, k1 + r).fma(p1, b0);
                b1 = FloatVector.fromArray(S, values, k1 + r + V).fma(p1, b1);
                c0 = FloatVector.fromArray(S, values, k2 + r).fma(p2, c0);
                c1 = FloatVector.fromArray(S, values, k2 + r + V).fma(p2, c1);
                d0 = FloatVector.fromArray(S, values, k3 + r).fma(p3, d0);
                d1 = FloatVector.fromArray(S, values, k3 + r + V).fma(p3, d1);
            }
            a0.intoArray(out, oa + c);
            a1.intoArray(out, oa + c + V);
            b0.intoArray(out, ob + c);
            b1.intoArray(out, ob + c + V);
            c0.intoArray(out, oc + c);
            c1.intoArray(out, oc + c + V);
            d0.intoArray(out, od + c);
            d1.intoArray(out, od + c + V);
        }
        for (; c < d; c += V) {
            VectorMask<Float> m = S.indexInRange(c, d);
            FloatVector a = FloatVector.zero(S);
            FloatVector b = a;
            FloatVector e = a;
            FloatVector f = a;
            for (int j = 0; j < tk; j++) {
                int r = j * row + c;
                a = FloatVector.fromArray(S, values, k0 + r, m).fma(FloatVector.broadcast(S, s[j] * inv0), a);
                b = FloatVector.fromArray(S, values, k1 + r, m).fma(FloatVector.broadcast(S, s[tk + j] * inv1), b);
                e = FloatVector.fromArray(S, values, k2 + r, m).fma(FloatVector.broadcast(S, s[2 * tk + j] * inv2), e);
                f = FloatVector.fromArray(S, values, k3 + r, m).fma(FloatVector.broadcast(S, s[3 * tk + j] * inv3), f);
            }
            a.intoArray(out, oa + c, m);
            b.intoArray(out, ob + c, m);
            e.intoArray(out, oc + c, m);
            f.intoArray(out, od + c, m);
        }
    }

    /**
     * Two query heads, a from {@code qa} and b right after it, over the cached keys and values at
     * offsets ka and kb of each row (equal when they share a key/value head): scores (with their
     * maxima), the softmax's exponentials and sums, then the weighted sum of values, each step
     * for both heads at once. Each head's operations and their order are those of {@link #one}.
     */
    private static void pair(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, float[] values,
                             int ka, int kb, float[] out, int oa, float[] s) {
        int qb = qa + d;
        int dv = S.loopBound(d);
        float maxA = Float.NEGATIVE_INFINITY;
        float maxB = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < tk; j++) {
            int r = j * row;
            FloatVector a = FloatVector.zero(S);
            FloatVector b = a;
            for (int p = 0; p < dv; p += V) {
                a = FloatVector.fromArray(S, keys, ka + r + p).fma(FloatVector.fromArray(S, q, qa + p), a);
                b = FloatVector.fromArray(S, keys, kb + r + p).fma(FloatVector.fromArray(S, q, qb + p), b);
            }
            float sa = Gemm.sumLanes(a);
            float sb = Gemm.sumLanes(b);
            for (int p = dv; p < d; p++) {
                sa = Math.fma(q[qa + p], keys[ka + r + p], sa);
                sb = Math.fma(q[qb + p], keys[kb + r + p], sb);
            }
            sa = scale * sa;
            sb = scale * sb;
            s[j] = sa;
            s[tk + j] = sb;
            maxA = Math.max(maxA, sa);
            maxB = Math.max(maxB, sb);
        }
        float invA = 1f / VectorMath.expShiftSum(tk, s, 0, maxA, s, 0);
        float invB = 1f / VectorMath.expShiftSum(tk, s, tk, maxB, s, tk);
        // out = P V, two vectors of each head at a time
        int ob = oa + d;
        int c = 0;
        for (; c + 2 * V <= d; c += 2 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            for (int j = 0; j < tk; j++) {
                int r = j * row + c;
                FloatVector pa = FloatVector.broadcast(S, s[j] * invA);
                FloatVector pb = FloatVector.broadcast(S, s[tk + j] * invB);
                a0 = FloatVector.fromArray(S, values, ka + r).fma(pa, a0);
                a1 = FloatVector.fromArray(S, values, ka + r + V).fma(pa, a1);
                b0 = FloatVector.fromArray(S, values, kb + r).fma(pb, b0);
                b1 = FloatVector.fromArray(S, values, kb + r + V).fma(pb, b1);
            }
            a0.intoArray(out, oa + c);
            a1.intoArray(out, oa + c + V);
            b0.intoArray(out, ob + c);
            b1.intoArray(out, ob + c + V);
        }
        for (; c < d; c += V) {
            VectorMask<Float> m = S.indexInRange(c, d);
            FloatVector a = FloatVector.zero(S);
            FloatVector b = a;
            for (int j = 0; j < tk; j++) {
                int r = j * row + c;
                a = FloatVector.fromArray(S, values, ka + r, m).fma(FloatVector.broadcast(S, s[j] * invA), a);
                b = FloatVector.fromArray(S, values, kb + r, m).fma(FloatVector.broadcast(S, s[tk + j] * invB), b);
            }
            a.intoArray(out, oa + c, m);
            b.intoArray(out, ob + c, m);
        }
    }

    /** {@link #pair} for a lone query head (a group of one, or the odd one of a group). */
    private static void one(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, float[] values,
                            int kh, float[] out, int oa, float[] s) {
        int dv = S.loopBound(d);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < tk; j++) {
            int k = kh + j * row;
            FloatVector a = FloatVector.zero(S);
            for (int p = 0; p < dv; p += V) {
                a = FloatVector.fromArray(S, keys, k + p).fma(FloatVector.fromArray(S, q, qa + p), a);
            }
            float sa = Gemm.sumLanes(a);
            for (int p = dv; p < d; p++) {
                sa = Math.fma(q[qa + p], keys[k + p], sa);
            }
            s[j] = scale * sa;
            max = Math.max(max, s[j]);
        }
        float inv = 1f / VectorMath.expShiftSum(tk, s, 0, max, s, 0);
        int c = 0;
        for (; c + 2 * V <= d; c += 2 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            for (int j = 0; j < tk; j++) {
                int v = kh + j * row + c;
                FloatVector pa = FloatVector.broadcast(S, s[j] * inv);
                a0 = FloatVector.fromArray(S, values, v).fma(pa, a0);
                a1 = FloatVector.fromArray(S, values, v + V).fma(pa, a1);
            }
            a0.intoArray(out, oa + c);
            a1.intoArray(out, oa + c + V);
        }
        for (; c < d; c += V) {
            VectorMask<Float> m = S.indexInRange(c, d);
            FloatVector a = FloatVector.zero(S);
            for (int j = 0; j < tk; j++) {
                a = FloatVector.fromArray(S, values, kh + j * row + c, m).fma(FloatVector.broadcast(S, s[j] * inv), a);
            }
            a.intoArray(out, oa + c, m);
        }
    }
}
