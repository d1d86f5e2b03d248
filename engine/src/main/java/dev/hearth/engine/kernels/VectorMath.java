package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise loops over float arrays with the Vector API: each works on {@code n} elements
 * starting at the given offsets, with a vector body and a scalar tail that compute the very same
 * IEEE operations (transcendentals come from {@link FloatMath}), so an element's result does not
 * depend on where it falls. Reference values for tests come from {@link Math} in double precision.
 *
 * <p>Sums and dot products accumulate in a fixed order (per-lane partial sums, then lanes first
 * to last), so they are deterministic but not identical to a sequential double sum.
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    /** Binary operations with a vector body. */
    public enum Binary { ADD, SUB, MUL, DIV }

    // ------------------------------------------------------------------ copies and scaling

    /** {@code y[i] += alpha * x[i]}. */
    public static void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /** {@code y[i] = factor * x[i]} (x and y may be the same array). */
    public static void scale(int n, float factor, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(factor).intoArray(y, yo + i);
        }
        if (i < n) {                                 // the tail in one masked vector: the same products
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xo + i, m).mul(factor).intoArray(y, yo + i, m);
        }
    }

    /** {@code y[i] = x[i] + value}. */
    public static void addScalar(int n, float value, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).add(value).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = x[xo + i] + value;
        }
    }

    // ------------------------------------------------------------------ binary with strides

    /**
     * {@code c[co + i] = a[ao + i*as] (op) b[bo + i*bs]} for i in [0, n). Strides of 1 and 0
     * (broadcast) take the vector path; others a scalar loop.
     */
    public static void binary(Binary op, int n, float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co) {
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> addVV(n, a, ao, b, bo, c, co);
                case SUB -> subVV(n, a, ao, b, bo, c, co);
                case MUL -> mulVV(n, a, ao, b, bo, c, co);
                case DIV -> divVV(n, a, ao, b, bo, c, co);
            }
        } else if (as == 1 && bs == 0) {
            float v = b[bo];
            switch (op) {
                case ADD -> addScalar(n, v, a, ao, c, co);
                case SUB -> addScalar(n, -v, a, ao, c, co);
                case MUL -> scale(n, v, a, ao, c, co);
                case DIV -> divVS(n, a, ao, v, c, co);
            }
        } else if (as == 0 && bs == 1) {
            float v = a[ao];
            switch (op) {
                case ADD -> addScalar(n, v, b, bo, c, co);
                case SUB -> rsubSV(n, v, b, bo, c, co);
                case MUL -> scale(n, v, b, bo, c, co);
                case DIV -> rdivSV(n, v, b, bo, c, co);
            }
        } else {
            for (int i = 0; i < n; i++) {
                c[co + i] = apply(op, a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    /** The scalar definition of each binary operation, used by tails and by tests. */
    public static float apply(Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    private static void addVV(int n, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] + b[bo + i];
        }
    }

    private static void subVV(int n, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] - b[bo + i];
        }
    }

    private static void mulVV(int n, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] * b[bo + i];
        }
    }

    private static void divVV(int n, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] / b[bo + i];
        }
    }

    private static void divVS(int n, float[] a, int ao, float v, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(v).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] / v;
        }
    }

    private static void rsubSV(int n, float v, float[] b, int bo, float[] c, int co) {
        int i = 0;
        FloatVector vv = FloatVector.broadcast(S, v);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            vv.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = v - b[bo + i];
        }
    }

    private static void rdivSV(int n, float v, float[] b, int bo, float[] c, int co) {
        int i = 0;
        FloatVector vv = FloatVector.broadcast(S, v);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            vv.div(FloatVector.fromArray(S, b, bo + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = v / b[bo + i];
        }
    }

    /** {@code c[i] = a[i] * b[i] + d[i]}: multiply-accumulate, used by gradient rules. */
    public static void mulAdd(int n, float[] a, int ao, float[] b, int bo, float[] d, int dOff, float[] c, int co) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), FloatVector.fromArray(S, d, dOff + i))
                    .intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = a[ao + i] * b[bo + i] + d[dOff + i];
        }
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of {@code x[xo..xo+n)}. */
    public static float sum(int n, float[] x, int xo) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int bound = n - 2 * L + 1; i < bound; i += 2 * L) {
            acc0 = acc0.add(FloatVector.fromArray(S, x, xo + i));
            acc1 = acc1.add(FloatVector.fromArray(S, x, xo + i + L));
        }
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc0 = acc0.add(FloatVector.fromArray(S, x, xo + i));
        }
        float s = FloatMath.sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            s += x[xo + i];
        }
        return s;
    }

    /** Dot product of {@code a[ao..ao+n)} and {@code b[bo..bo+n)}. */
    public static float dot(int n, float[] a, int ao, float[] b, int bo) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int bound = n - 2 * L + 1; i < bound; i += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc0);
            acc1 = FloatVector.fromArray(S, a, ao + i + L).fma(FloatVector.fromArray(S, b, bo + i + L), acc1);
        }
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc0);
        }
        float s = FloatMath.sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** Largest of {@code x[xo..xo+n)} (n >= 1); NaN if any element is NaN. */
    public static float max(int n, float[] x, int xo) {
        int i = 0;
        // a local, not a static final vector: a loop's accumulator that starts as a constant vector
        // object is boxed on every pass (C2 does not scalarize that phi; 288 bytes a call of 48)
        FloatVector none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector acc = none;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc = acc.max(FloatVector.fromArray(S, x, xo + i));
        }
        if (i < n) {                                 // the tail in one masked vector (max is exact in any order)
            VectorMask<Float> m = S.indexInRange(i, n);
            acc = acc.max(none.blend(FloatVector.fromArray(S, x, xo + i, m), m));
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    // ------------------------------------------------------------------ pointwise functions

    public static void exp(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatMath.exp(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = FloatMath.exp(x[xo + i]);
        }
    }

    /** {@code y[i] = exp(x[i] - shift)}, returning the sum of the results (softmax's inner loop). */
    public static float expShiftSum(int n, float[] x, int xo, float shift, float[] y, int yo) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector e = FloatMath.exp(FloatVector.fromArray(S, x, xo + i).sub(shift));
            e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        float s = FloatMath.sumLanes(acc);
        if (i < n) {
            // the tail's exponentials in one masked vector (lane for lane those of FloatMath.exp(float)),
            // then added one by one in order, as a scalar loop would
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatMath.exp(FloatVector.fromArray(S, x, xo + i, m).sub(shift)).intoArray(y, yo + i, m);
            for (; i < n; i++) {
                s += y[yo + i];
            }
        }
        return s;
    }

    /** Natural log, element by element with StrictMath (not on any hot path). */
    public static void log(int n, float[] x, int xo, float[] y, int yo) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = (float) StrictMath.log(x[xo + i]);
        }
    }

    public static void sqrt(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.SQRT).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = (float) Math.sqrt(x[xo + i]);
        }
    }

    public static void tanh(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatMath.tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = FloatMath.tanh(x[xo + i]);
        }
    }

    /** {@code y = 1 / (1 + exp(-x))}. */
    public static void sigmoid(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ONE.div(FloatMath.exp(v.neg()).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = 1f / (FloatMath.exp(-x[xo + i]) + 1f);
        }
    }

    /** {@code y = x * sigmoid(x)}. */
    public static void silu(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.div(FloatMath.exp(v.neg()).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v / (FloatMath.exp(-v) + 1f);
        }
    }

    public static void relu(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.max(x[xo + i], 0f);
        }
    }

    /** {@code dx = dy * (x > 0)}. */
    public static void reluBackward(int n, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            VectorMask<Float> pos = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
            FloatVector.fromArray(S, dy, dyo + i).blend(0f, pos.not()).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            dx[dxo + i] = x[xo + i] > 0 ? dy[dyo + i] : 0f;
        }
    }

    /** {@code dx = dy * (1 - y^2)} where {@code y = tanh(x)}. */
    public static void tanhBackward(int n, float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            v.mul(v).neg().add(1f).mul(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = y[yo + i];
            dx[dxo + i] = (1 - v * v) * dy[dyo + i];
        }
    }

    /** {@code dx = dy * y (1 - y)} where {@code y = sigmoid(x)}. */
    public static void sigmoidBackward(int n, float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            v.mul(v.neg().add(1f)).mul(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = y[yo + i];
            dx[dxo + i] = v * (1 - v) * dy[dyo + i];
        }
    }

    /** {@code dx = dy * s (1 + x (1 - s))} with {@code s = sigmoid(x)}: the gradient of SiLU. */
    public static void siluBackward(int n, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector sg = ONE.div(FloatMath.exp(v.neg()).add(1f));
            FloatVector d = v.mul(ONE.sub(sg)).add(1f).mul(sg);
            d.mul(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float sg = 1f / (FloatMath.exp(-v) + 1f);
            dx[dxo + i] = (v * (1f - sg) + 1f) * sg * dy[dyo + i];
        }
    }

    /**
     * One Adam step over {@code n} elements, in place: {@code m = b1 m + (1-b1) g},
     * {@code v = b2 v + (1-b2) g^2}, {@code p -= lr * (m / bc1) / (sqrt(v / bc2) + eps)} where bc1
     * and bc2 are the bias corrections {@code 1 - b^t}.
     */
    public static void adam(int n, float[] p, int po, float[] g, int go, float[] m, float[] v, int so,
                            float lr, float b1, float b2, float eps, float bc1, float bc2) {
        int i = 0;
        float stepScale = lr / bc1;
        float invBc2 = 1f / bc2;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector mv = FloatVector.fromArray(S, m, so + i).mul(b1).add(gv.mul(1 - b1));
            FloatVector vv = FloatVector.fromArray(S, v, so + i).mul(b2).add(gv.mul(gv).mul(1 - b2));
            mv.intoArray(m, so + i);
            vv.intoArray(v, so + i);
            FloatVector denom = vv.mul(invBc2).lanewise(VectorOperators.SQRT).add(eps);
            FloatVector.fromArray(S, p, po + i).sub(mv.mul(stepScale).div(denom)).intoArray(p, po + i);
        }
        for (; i < n; i++) {
            float gi = g[go + i];
            float mi = b1 * m[so + i] + (1 - b1) * gi;
            float vi = b2 * v[so + i] + (1 - b2) * gi * gi;
            m[so + i] = mi;
            v[so + i] = vi;
            p[po + i] -= stepScale * mi / ((float) Math.sqrt(vi * invBc2) + eps);
        }
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_C = 0.044715f;
    private static final float INV_SQRT_2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /** GPT-2's GELU: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    public static void geluTanh(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector inner = v.mul(v).mul(v).mul(GELU_C).add(v).mul(SQRT_2_OVER_PI);
            v.mul(0.5f).mul(FloatMath.tanh(inner).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float inner = (v * v * v * GELU_C + v) * SQRT_2_OVER_PI;
            y[yo + i] = v * 0.5f * (FloatMath.tanh(inner) + 1f);
        }
    }

    /** Gradient of {@link #geluTanh}: {@code dx = dy * d/dx gelu(x)}. */
    public static void geluTanhBackward(int n, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector v2 = v.mul(v);
            FloatVector th = FloatMath.tanh(v2.mul(v).mul(GELU_C).add(v).mul(SQRT_2_OVER_PI));
            FloatVector dInner = v2.mul(3 * GELU_C).add(1f).mul(SQRT_2_OVER_PI);
            FloatVector sech2 = ONE.sub(th.mul(th));
            FloatVector grad = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(dInner));
            grad.mul(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float v2 = v * v;
            float th = FloatMath.tanh((v2 * v * GELU_C + v) * SQRT_2_OVER_PI);
            float dInner = (v2 * (3 * GELU_C) + 1f) * SQRT_2_OVER_PI;
            float sech2 = 1f - th * th;
            float grad = (th + 1f) * 0.5f + v * 0.5f * sech2 * dInner;
            dx[dxo + i] = grad * dy[dyo + i];
        }
    }

    /** Exact GELU: {@code x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}. */
    public static void gelu(int n, float[] x, int xo, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(0.5f).mul(FloatMath.erf(v.mul(INV_SQRT_2)).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v * 0.5f * (FloatMath.erf(v * INV_SQRT_2) + 1f);
        }
    }

    /** Gradient of exact GELU: {@code Phi(x) + x phi(x)}. */
    public static void geluBackward(int n, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector cdf = FloatMath.erf(v.mul(INV_SQRT_2)).add(1f).mul(0.5f);
            FloatVector pdf = FloatMath.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            v.fma(pdf, cdf).mul(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float cdf = (FloatMath.erf(v * INV_SQRT_2) + 1f) * 0.5f;
            float pdf = FloatMath.exp(v * v * -0.5f) * INV_SQRT_2PI;
            dx[dxo + i] = Math.fma(v, pdf, cdf) * dy[dyo + i];
        }
    }
}
