package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention of one new query position over a sequence's cached keys and values, the inner
 * loop of a decode step, fused for small heads: the query heads of one or two key/value heads
 * are computed four (or two) at a time, so each cached row is read whole, in order, and the
 * heads' chains of dependent operations overlap; the softmaxes' normalisation is taken while
 * weighing the values, and the weighted sums stay in registers. Every result has the bits of
 * the general path ({@link Gemm#sgemm} for the scores and the weighted sum, {@link VectorMath}
 * for the softmax): each score is the dot product of Gemm's matrix-vector kernel (lane partial
 * sums, folded, then the tail), each output element a multiply-add chain over the positions in
 * order. On the demo model's heads (32 floats, two query heads per key/value head) a decode step
 * of 8 sequences took 300-380 µs of CPU against 335-400 with the softmaxes one after another
 * (each boxing vectors, see {@link #softmaxRows}) and a lane sum per head (ServedStepSpeed).
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
     * each cached row whole, in order), then two, then one; each group is scored, its softmaxes
     * taken side by side ({@link #softmaxRows}), then its values weighed.
     */
    public static void oneQuery(int kv0, int kv1, int h, int hkv, int d, int tk, float scale, float[] q, int qo,
                                float[] keys, float[] values, int kvo, float[] out, int oo, float[] scores) {
        int row = hkv * d;
        int group = h / hkv;
        int head = kv0 * group;
        int last = kv1 * group;
        float[] t = new float[4 + 4 * V];
        for (; head + 4 <= last; head += 4) {
            int k0 = kvo + head / group * d;
            int k1 = kvo + (head + 1) / group * d;
            int k2 = kvo + (head + 2) / group * d;
            int k3 = kvo + (head + 3) / group * d;
            scoreFour(tk, d, row, scale, q, qo + head * d, keys, k0, k1, k2, k3, scores);
            softmaxRows(4, tk, scores, t);
            weighFour(tk, d, row, values, k0, k1, k2, k3, scores, t[0], t[1], t[2], t[3], out, oo + head * d);
        }
        if (head + 2 <= last) {
            int ka = kvo + head / group * d;
            int kb = kvo + (head + 1) / group * d;
            scorePair(tk, d, row, scale, q, qo + head * d, keys, ka, kb, scores);
            softmaxRows(2, tk, scores, t);
            weighPair(tk, d, row, values, ka, kb, scores, t[0], t[1], out, oo + head * d);
            head += 2;
        }
        if (head < last) {
            int ka = kvo + head / group * d;
            scoreOne(tk, d, row, scale, q, qo + head * d, keys, ka, scores);
            softmaxRows(1, tk, scores, t);
            weighOne(tk, d, row, values, ka, scores, t[0], out, oo + head * d);
        }
    }

    /**
     * The softmaxes of {@code count} (1 to 4) rows of scores, s[r tk, (r + 1) tk), without their
     * normalisation: each row's maximum (exact in any order), the exponentials of the scores less
     * it in place, and 1 / their sum into t[r]. The sum is {@link VectorMath#expShiftSum}'s: the
     * exponentials added lanewise over whole vectors, the lanes then in order, then the tail one
     * by one. t holds 4 + 4 V floats (the lanes pass through t[4..]). The rows' chains of
     * dependent operations (a sum over lanes in order, above all) run side by side. One loop
     * over the rows, not a copy of the exponential per row: C2 inlines only two or three vector
     * exponentials into one method before its node budget runs out, and each one left as a call
     * boxes its vectors (with {@link VectorMath#max}'s, a decode step of 8 allocated about 40 KB
     * of boxed vectors).
     */
    private static void softmaxRows(int count, int tk, float[] s, float[] t) {
        int whole = S.loopBound(tk);
        for (int r = 0; r < count; r++) {
            int o = r * tk;
            float max = VectorMath.max(tk, s, o);
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < whole; i += V) {
                FloatVector e = FloatMath.exp(FloatVector.fromArray(S, s, o + i).sub(max));
                e.intoArray(s, o + i);
                acc = acc.add(e);
            }
            acc.intoArray(t, 4 + r * V);
            if (whole < tk) {
                VectorMask<Float> m = S.indexInRange(whole, tk);
                FloatMath.exp(FloatVector.fromArray(S, s, o + whole, m).sub(max)).intoArray(s, o + whole, m);
            }
        }
        for (int r = 0; r < count; r++) {
            t[r] = 0f;
        }
        for (int l = 0; l < V; l++) {
            for (int r = 0; r < count; r++) {
                t[r] += t[4 + r * V + l];
            }
        }
        for (int i = whole; i < tk; i++) {
            for (int r = 0; r < count; r++) {
                t[r] += s[r * tk + i];
            }
        }
        for (int r = 0; r < count; r++) {
            t[r] = 1f / t[r];
        }
    }

    // Gemm.sumLanes's folds for four vectors of 16 lanes at once (see scoreFour)
    private static final VectorMask<Float> UPPER_HALF = V == 16 ? VectorMask.fromLong(S, 0xFF00L) : null;
    private static final VectorMask<Float> UPPER_QUARTERS = V == 16 ? VectorMask.fromLong(S, 0xF0F0L) : null;
    private static final VectorShuffle<Float> SWAP_HALVES = V == 16 ? VectorShuffle.fromOp(S, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> SWAP_QUARTERS = V == 16 ? VectorShuffle.fromOp(S, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> SWAP_PAIRS = V == 16 ? VectorShuffle.fromOp(S, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> SWAP_LANES = V == 16 ? VectorShuffle.fromOp(S, i -> i ^ 1) : null;

    /**
     * The scaled scores of four query heads, consecutive from {@code qa}, against the cached keys
     * at offsets k0..k3 of each row (their key/value heads; equal when heads share one): head i's
     * in s[i tk, (i + 1) tk). Each score is the dot product of Gemm's matrix-vector kernel (lane
     * partial sums, folded, then the tail), then scaled.
     *
     * <p>With vectors of 16 lanes the four heads' lane sums are folded together.
     * {@link Gemm#sumLanes} folds one vector in four steps (lane i plus lane i + 8, then + 4, + 2,
     * + 1), each a shuffle and an add. Here the first step puts heads 0 and 1 into the halves of
     * one vector (lanes 0-7: 0's lane i plus its lane i + 8; lanes 8-15: 1's lane i + 8 plus its
     * lane i, the same sum, as addition commutes), and heads 2 and 3 into another; the second
     * step puts all four into quarters; the last two fold within each quarter. Every sum is the
     * one sumLanes makes, with 5 shuffles and 5 adds (and 6 blends) for the four heads in place
     * of 16 and 16. The sums end in lanes 0 (head 0), 8 (head 1), 4 (head 2) and 12 (head 3).
     */
    private static void scoreFour(int tk, int d, int row, float scale, float[] q, int qa, float[] keys,
                                  int k0, int k1, int k2, int k3, float[] s) {
        int dv = S.loopBound(d);
        boolean folded = V == 16;
        int qb = qa + d;
        int qc = qb + d;
        int qd = qc + d;
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
            float s0;
            float s1;
            float s2;
            float s3;
            if (folded) {
                FloatVector h01 = a0.blend(a1, UPPER_HALF).add(a1.blend(a0, UPPER_HALF).rearrange(SWAP_HALVES));
                FloatVector h23 = a2.blend(a3, UPPER_HALF).add(a3.blend(a2, UPPER_HALF).rearrange(SWAP_HALVES));
                FloatVector f = h01.blend(h23, UPPER_QUARTERS)
                        .add(h23.blend(h01, UPPER_QUARTERS).rearrange(SWAP_QUARTERS));
                f = f.add(f.rearrange(SWAP_PAIRS));
                f = f.add(f.rearrange(SWAP_LANES));
                s0 = f.lane(0);
                s1 = f.lane(8);
                s2 = f.lane(4);
                s3 = f.lane(12);
            } else {
                s0 = Gemm.sumLanes(a0);
                s1 = Gemm.sumLanes(a1);
                s2 = Gemm.sumLanes(a2);
                s3 = Gemm.sumLanes(a3);
            }
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

    /** {@link #scoreFour} for two query heads. */
    private static void scorePair(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, int ka, int kb,
                                  float[] s) {
        int qb = qa + d;
        int dv = S.loopBound(d);
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
            s[j] = scale * sa;
            s[tk + j] = scale * sb;
        }
    }

    /** {@link #scoreFour} for one query head. */
    private static void scoreOne(int tk, int d, int row, float scale, float[] q, int qa, float[] keys, int ka,
                                 float[] s) {
        int dv = S.loopBound(d);
        for (int j = 0; j < tk; j++) {
            int r = j * row;
            FloatVector a = FloatVector.zero(S);
            for (int p = 0; p < dv; p += V) {
                a = FloatVector.fromArray(S, keys, ka + r + p).fma(FloatVector.fromArray(S, q, qa + p), a);
            }
            float sa = Gemm.sumLanes(a);
            for (int p = dv; p < d; p++) {
                sa = Math.fma(q[qa + p], keys[ka + r + p], sa);
            }
            s[j] = scale * sa;
        }
    }

    /**
     * The outputs of {@link #scoreFour}'s heads from their exponentials s and inverse sums:
     * head i's at {@code oa + i d} is the sum over positions j, in order, of s[i tk + j] inv_i
     * (one product per position, as {@link VectorMath#scale} would leave it) times the value at
     * offset k_i of row j, two vectors of each head at a time, the sums kept in registers.
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

    /** {@link #weighFour} for two query heads. */
    private static void weighPair(int tk, int d, int row, float[] values, int ka, int kb, float[] s, float invA,
                                  float invB, float[] out, int oa) {
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

    /** {@link #weighFour} for one query head. */
    private static void weighOne(int tk, int d, int row, float[] values, int ka, float[] s, float inv, float[] out,
                                 int oa) {
        int c = 0;
        for (; c + 2 * V <= d; c += 2 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            for (int j = 0; j < tk; j++) {
                int r = j * row + c;
                FloatVector pa = FloatVector.broadcast(S, s[j] * inv);
                a0 = FloatVector.fromArray(S, values, ka + r).fma(pa, a0);
                a1 = FloatVector.fromArray(S, values, ka + r + V).fma(pa, a1);
            }
            a0.intoArray(out, oa + c);
            a1.intoArray(out, oa + c + V);
        }
        for (; c < d; c += V) {
            VectorMask<Float> m = S.indexInRange(c, d);
            FloatVector a = FloatVector.zero(S);
            for (int j = 0; j < tk; j++) {
                a = FloatVector.fromArray(S, values, ka + j * row + c, m).fma(FloatVector.broadcast(S, s[j] * inv), a);
            }
            a.intoArray(out, oa + c, m);
        }
    }
}
