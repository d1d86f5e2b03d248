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
     * least 2 x tk floats. The caller checks the shapes.
     */
    public static void oneQuery(int kv0, int kv1, int h, int hkv, int d, int tk, float scale, float[] q, int qo,
                                float[] keys, float[] values, int kvo, float[] out, int oo, float[] scores) {
        int row = hkv * d;
        int group = h / hkv;
        for (int g = kv0; g < kv1; g++) {
            int kh = kvo + g * d;
            int head = g * group;
            int last = head + group;
            for (; head + 2 <= last; head += 2) {
                pair(tk, d, row, scale, q, qo + head * d, keys, values, kh, out, oo + head * d, scores);
            }
            if (head < last) {
                one(tk, d, row, scale, q, qo + head * d, keys, values, kh, out, oo + head * d, scores);
            }
        }
    }

    /**
     * Two query heads, a from {@code qa} and b right after it, over the same cached keys and
     * values: scores (with their maxima), the softmax's exponentials and sums, then the weighted
     * sum of values, each step for both heads at once. The operations and their order are those
     * of the general path for each head: {@link VectorMath#expShiftSum}'s lane sums and tail, and
     * {@link VectorMath#scale}'s products (one per position, taken as the weights are used).
     */
    private static void pair(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, float[] values,
                             int kh, float[] out, int oa, float[] s) {
        int qb = qa + d;
        int dv = S.loopBound(d);
        float maxA = Float.NEGATIVE_INFINITY;
        float maxB = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < tk; j++) {
            int k = kh + j * row;
            FloatVector a = FloatVector.zero(S);
            FloatVector b = a;
            for (int p = 0; p < dv; p += V) {
                FloatVector key = FloatVector.fromArray(S, keys, k + p);
                a = key.fma(FloatVector.fromArray(S, q, qa + p), a);
                b = key.fma(FloatVector.fromArray(S, q, qb + p), b);
            }
            float sa = Gemm.sumLanes(a);
            float sb = Gemm.sumLanes(b);
            for (int p = dv; p < d; p++) {
                sa = Math.fma(q[qa + p], keys[k + p], sa);
                sb = Math.fma(q[qb + p], keys[k + p], sb);
            }
            sa = scale * sa;
            sb = scale * sb;
            s[j] = sa;
            s[tk + j] = sb;
            maxA = Math.max(maxA, sa);
            maxB = Math.max(maxB, sb);
        }
        // exponentials in place and their sums
        FloatVector accA = FloatVector.zero(S);
        FloatVector accB = accA;
        int i = 0;
        for (int bound = S.loopBound(tk); i < bound; i += V) {
            FloatVector ea = FloatMath.exp(FloatVector.fromArray(S, s, i).sub(maxA));
            FloatVector eb = FloatMath.exp(FloatVector.fromArray(S, s, tk + i).sub(maxB));
            ea.intoArray(s, i);
            eb.intoArray(s, tk + i);
            accA = accA.add(ea);
            accB = accB.add(eb);
        }
        float sumA = 0f;
        float sumB = 0f;
        for (int lane = 0; lane < V; lane++) {
            sumA += accA.lane(lane);
            sumB += accB.lane(lane);
        }
        if (i < tk) {
            VectorMask<Float> m = S.indexInRange(i, tk);
            FloatMath.exp(FloatVector.fromArray(S, s, i, m).sub(maxA)).intoArray(s, i, m);
            FloatMath.exp(FloatVector.fromArray(S, s, tk + i, m).sub(maxB)).intoArray(s, tk + i, m);
            for (; i < tk; i++) {
                sumA += s[i];
                sumB += s[tk + i];
            }
        }
        float invA = 1f / sumA;
        float invB = 1f / sumB;
        // out = P V, two vectors of each head at a time, each value row loaded once for both heads
        int ob = oa + d;
        int c = 0;
        for (; c + 2 * V <= d; c += 2 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            for (int j = 0; j < tk; j++) {
                int v = kh + j * row + c;
                FloatVector v0 = FloatVector.fromArray(S, values, v);
                FloatVector v1 = FloatVector.fromArray(S, values, v + V);
                FloatVector pa = FloatVector.broadcast(S, s[j] * invA);
                FloatVector pb = FloatVector.broadcast(S, s[tk + j] * invB);
                a0 = v0.fma(pa, a0);
                a1 = v1.fma(pa, a1);
                b0 = v0.fma(pb, b0);
                b1 = v1.fma(pb, b1);
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
                FloatVector v = FloatVector.fromArray(S, values, kh + j * row + c, m);
                a = v.fma(FloatVector.broadcast(S, s[j] * invA), a);
                b = v.fma(FloatVector.broadcast(S, s[tk + j] * invB), b);
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
