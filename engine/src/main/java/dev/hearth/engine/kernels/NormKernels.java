package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops of layer and RMS normalisation, with the Vector API. One row is {@code n}
 * floats from an offset; {@code w} and {@code b} (scale and shift, length n) may be null. Sums
 * run over lanes then lanes in order, so they are deterministic; the scalar tails repeat the
 * vector body's arithmetic.
 */
public final class NormKernels {
    private NormKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Sum of {@code (x[i] - mu)^2}. */
    public static float sumSquaredDeviations(int n, float[] x, int xo, float mu) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(mu);
            acc = d.fma(d, acc);
        }
        float s = FloatMath.sumLanes(acc);
        for (; i < n; i++) {
            float d = x[xo + i] - mu;
            s = Math.fma(d, d, s);
        }
        return s;
    }

    /** {@code y = (x - mu) * rs * w + b}. */
    public static void normalize(int n, float[] x, int xo, float mu, float rs, float[] w, float[] b, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(mu).mul(rs);
            if (w != null) {
                v = v.mul(FloatVector.fromArray(S, w, i));
            }
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, i));
            }
            v.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = (x[xo + i] - mu) * rs;
            if (w != null) {
                v *= w[i];
            }
            if (b != null) {
                v += b[i];
            }
            y[yo + i] = v;
        }
    }

    /**
     * The two row sums a normalisation's gradient needs, with {@code dh = dy * w} and
     * {@code xh = (x - mu) * rs}: {@code out[0] = sum(dh)}, {@code out[1] = sum(dh * xh)}.
     */
    public static void gradientSums(int n, float[] x, int xo, float[] dy, int dyo, float[] w, float mu, float rs,
                                    float[] out) {
        int i = 0;
        FloatVector sd = FloatVector.zero(S);
        FloatVector sdx = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector dh = FloatVector.fromArray(S, dy, dyo + i);
            if (w != null) {
                dh = dh.mul(FloatVector.fromArray(S, w, i));
            }
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mu).mul(rs);
            sd = sd.add(dh);
            sdx = dh.fma(xh, sdx);
        }
        float a = FloatMath.sumLanes(sd);
        float c = FloatMath.sumLanes(sdx);
        for (; i < n; i++) {
            float dh = dy[dyo + i] * (w == null ? 1f : w[i]);
            float xh = (x[xo + i] - mu) * rs;
            a += dh;
            c = Math.fma(dh, xh, c);
        }
        out[0] = a;
        out[1] = c;
    }

    /** {@code dx = rs * (dh - meanD - xh * meanDX)}, with dh and xh as in {@link #gradientSums}. */
    public static void inputGradient(int n, float[] x, int xo, float[] dy, int dyo, float[] w, float mu, float rs,
                                     float meanD, float meanDX, float[] dx, int dxo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector dh = FloatVector.fromArray(S, dy, dyo + i);
            if (w != null) {
                dh = dh.mul(FloatVector.fromArray(S, w, i));
            }
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mu).mul(rs);
            dh.sub(meanD).sub(xh.mul(meanDX)).mul(rs).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float dh = dy[dyo + i] * (w == null ? 1f : w[i]);
            float xh = (x[xo + i] - mu) * rs;
            dx[dxo + i] = (dh - meanD - xh * meanDX) * rs;
        }
    }

    /**
     * Accumulates, for columns {@code [c0, c1)} of one row, {@code gw += dy * (x - mu) * rs} and,
     * when gb is not null, {@code gb += dy}; gw and gb are indexed by column.
     */
    public static void paramGradients(int c0, int c1, float[] x, int xo, float[] dy, int dyo, float mu, float rs,
                                      float[] gw, float[] gb) {
        int i = c0;
        for (int bound = c0 + S.loopBound(c1 - c0); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, dy, dyo + i);
            FloatVector xh = FloatVector.fromArray(S, x, xo + i).sub(mu).mul(rs);
            if (gw != null) {
                d.fma(xh, FloatVector.fromArray(S, gw, i)).intoArray(gw, i);
            }
            if (gb != null) {
                d.add(FloatVector.fromArray(S, gb, i)).intoArray(gb, i);
            }
        }
        for (; i < c1; i++) {
            float d = dy[dyo + i];
            float xh = (x[xo + i] - mu) * rs;
            if (gw != null) {
                gw[i] = Math.fma(d, xh, gw[i]);
            }
            if (gb != null) {
                gb[i] += d;
            }
        }
    }
}
