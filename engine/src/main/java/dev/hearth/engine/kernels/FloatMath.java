package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, tanh and erf in float, each as a vector function and a scalar function that performs the
 * very same IEEE operations, so a lane and a scalar tail give identical bits.
 *
 * <p>Why not the Vector API's EXP and TANH? Their intrinsics (SVML) and the interpreter's
 * fallback round differently, so results would change as the JIT warms up, and bit-identical
 * training would be lost. These use only add, multiply, fused multiply-add, division and bit
 * manipulation, which are exactly specified. Accuracy: exp within 2 ulp, tanh within 2e-7
 * relative, erf within 2.5e-7 absolute (and 3e-7 relative below 1).
 */
public final class FloatMath {
    private FloatMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float below 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    /** Above this, e^x would need 2^128 in the scaling step; the result is taken as infinity. */
    private static final float EXP_HI = 88.37626f;
    private static final float EXP_LO = -87.33654f;
    // Minimax polynomial for e^r - 1 - r on [-ln2/2, ln2/2] (Cephes expf).
    private static final float E0 = 1.9875691500e-4f;
    private static final float E1 = 1.3981999507e-3f;
    private static final float E2 = 8.3334519073e-3f;
    private static final float E3 = 4.1665795894e-2f;
    private static final float E4 = 1.6666665459e-1f;
    private static final float E5 = 5.0000001201e-1f;

    /** e^x; infinity above 88.376 (e^88.376 is 2.4e38, near the float maximum), 0 below -87.34. */
    public static float exp(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        if (x > EXP_HI) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < EXP_LO) {
            return 0f;
        }
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float r2 = r * r;
        float e = Math.fma(p, r2, r) + 1f;
        int bits = (Float.floatToRawIntBits(t) - ROUNDER_BITS + 127) << 23;
        return e * Float.intBitsToFloat(bits);
    }

    private static final FloatVector EXP_HI_V = FloatVector.broadcast(S, EXP_HI);
    private static final FloatVector EXP_LO_V = FloatVector.broadcast(S, EXP_LO);
    private static final FloatVector LOG2E_V = FloatVector.broadcast(S, LOG2E);
    private static final FloatVector ROUNDER_V = FloatVector.broadcast(S, ROUNDER);
    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(S, -LN2_HI);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(S, -LN2_LO);
    private static final FloatVector E0_V = FloatVector.broadcast(S, E0);
    private static final FloatVector E1_V = FloatVector.broadcast(S, E1);
    private static final FloatVector E2_V = FloatVector.broadcast(S, E2);
    private static final FloatVector E3_V = FloatVector.broadcast(S, E3);
    private static final FloatVector E4_V = FloatVector.broadcast(S, E4);
    private static final FloatVector E5_V = FloatVector.broadcast(S, E5);
    private static final FloatVector ONE_V = FloatVector.broadcast(S, 1f);

    /**
     * e^x lane by lane, bit-identical to {@link #exp(float)}. The lanes outside [EXP_LO, EXP_HI]
     * (and NaN) are found with one comparison and fixed apart: the usual path stays small enough
     * that C2 inlines it into a loop beside others, where a call would box every vector in and out.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO_V).min(EXP_HI_V);
        FloatVector t = xc.fma(LOG2E_V, ROUNDER_V);
        FloatVector n = t.sub(ROUNDER_V);
        FloatVector r = n.fma(MINUS_LN2_HI, xc);
        r = n.fma(MINUS_LN2_LO, r);
        FloatVector p = r.fma(E0_V, E1_V);
        p = p.fma(r, E2_V);
        p = p.fma(r, E3_V);
        p = p.fma(r, E4_V);
        p = p.fma(r, E5_V);
        FloatVector e = p.fma(r.mul(r), r).add(ONE_V);
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = e.mul((FloatVector) bits.reinterpretAsFloats());
        return x.compare(VectorOperators.NE, xc).anyTrue() ? outside(x, result) : result;
    }

    /** {@link #exp(FloatVector)}'s lanes past its range: infinity above, 0 below, NaN as it came. */
    private static FloatVector outside(FloatVector x, FloatVector result) {
        return result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI))
                .blend(0f, x.compare(VectorOperators.LT, EXP_LO)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    // tanh on |x| < 0.625: x + x^3 P(x^2) (Cephes tanhf); elsewhere 1 - 2 / (e^{2|x|} + 1) with the sign of x.
    private static final float T0 = -5.70498872745e-3f;
    private static final float T1 = 2.06390887954e-2f;
    private static final float T2 = -5.37397155531e-2f;
    private static final float T3 = 1.33314422036e-1f;
    private static final float T4 = -3.33332819422e-1f;
    private static final float T_SPLIT = 0.625f;

    public static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < T_SPLIT) {
            float z = x * x;
            float p = Math.fma(T0, z, T1);
            p = Math.fma(p, z, T2);
            p = Math.fma(p, z, T3);
            p = Math.fma(p, z, T4);
            return Math.fma(p * z, x, x);
        }
        float big = 1f - 2f / (exp(2f * ax) + 1f);
        return x < 0 ? -big : big;
    }

    /** tanh lane by lane, bit-identical to {@link #tanh(float)}. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(T0, T1);
        p = p.fma(z, FloatVector.broadcast(S, T2));
        p = p.fma(z, FloatVector.broadcast(S, T3));
        p = p.fma(z, FloatVector.broadcast(S, T4));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(ax.mul(2f)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return big.blend(small, ax.compare(VectorOperators.LT, T_SPLIT)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    // erf: below |x| = 1 its Taylor series to x^21 (relative accuracy near 0); above, Abramowitz and
    // Stegun 7.1.26: 1 - (a1 t + ... + a5 t^5) e^{-x^2}, t = 1/(1 + p|x|), whose error is 1.4e-7.
    private static final float ERF_SPLIT = 1f;
    private static final float C0 = 1.1283791670955126f;
    private static final float C1 = -0.37612638903183754f;
    private static final float C2 = 0.11283791670955126f;
    private static final float C3 = -0.026866170645131252f;
    private static final float C4 = 0.005223977625442188f;
    private static final float C5 = -0.0008548327023450852f;
    private static final float C6 = 0.00012055332981789664f;
    private static final float C7 = -1.492565035840625e-05f;
    private static final float C8 = 1.6462114365889246e-06f;
    private static final float C9 = -1.6365844691234924e-07f;
    private static final float C10 = 1.4807192815879218e-08f;
    private static final float ERF_P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;

    public static float erf(float x) {
        float ax = Math.abs(x);
        if (ax < ERF_SPLIT) {
            float z = x * x;
            float q = Math.fma(C10, z, C9);
            q = Math.fma(q, z, C8);
            q = Math.fma(q, z, C7);
            q = Math.fma(q, z, C6);
            q = Math.fma(q, z, C5);
            q = Math.fma(q, z, C4);
            q = Math.fma(q, z, C3);
            q = Math.fma(q, z, C2);
            q = Math.fma(q, z, C1);
            q = Math.fma(q, z, C0);
            return q * x;
        }
        float t = 1f / Math.fma(ax, ERF_P, 1f);
        float p = Math.fma(A5, t, A4);
        p = Math.fma(p, t, A3);
        p = Math.fma(p, t, A2);
        p = Math.fma(p, t, A1);
        float r = 1f - p * t * exp(-(ax * ax));
        return x < 0 ? -r : r;
    }

    /** erf lane by lane, bit-identical to {@link #erf(float)}. */
    public static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(ax.fma(ERF_P, 1f));
        FloatVector p = t.fma(A5, A4);
        p = p.fma(t, FloatVector.broadcast(S, A3));
        p = p.fma(t, FloatVector.broadcast(S, A2));
        p = p.fma(t, FloatVector.broadcast(S, A1));
        FloatVector r = FloatVector.broadcast(S, 1f).sub(p.mul(t).mul(exp(ax.mul(ax).neg())));
        r = r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector z = x.mul(x);
        FloatVector q = z.fma(C10, C9);
        q = q.fma(z, FloatVector.broadcast(S, C8));
        q = q.fma(z, FloatVector.broadcast(S, C7));
        q = q.fma(z, FloatVector.broadcast(S, C6));
        q = q.fma(z, FloatVector.broadcast(S, C5));
        q = q.fma(z, FloatVector.broadcast(S, C4));
        q = q.fma(z, FloatVector.broadcast(S, C3));
        q = q.fma(z, FloatVector.broadcast(S, C2));
        q = q.fma(z, FloatVector.broadcast(S, C1));
        q = q.fma(z, FloatVector.broadcast(S, C0));
        return r.blend(q.mul(x), ax.compare(VectorOperators.LT, ERF_SPLIT));
    }

    /** Sum of the lanes, first to last: a fixed order, unlike reduceLanes(ADD) whose order may vary. */
    public static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
