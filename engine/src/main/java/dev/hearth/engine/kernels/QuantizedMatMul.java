package dev.hearth.engine.kernels;

import dev.hearth.engine.quant.Q8Activations;
import dev.hearth.engine.quant.QuantizedMatrix;

/**
 * {@code y = x W^T} with W quantized (Q8_0, Q4_0 or per-channel int8): the activations are
 * quantized to 8-bit blocks of 32 on the fly, once per call, and every output is an integer dot
 * product over the packed blocks, never a float copy of W. Matrix-vector (decode, m = 1) and
 * matrix-matrix (prompt, m > 1) alike: the output features are split over the compute pool, and
 * each weight row meets two activation rows at a time, so it is unpacked once per two (four made
 * the method too large for C2 to inline the Vector API calls into: they fell back to Java code).
 *
 * <pre>
 * x (m, in) fp32, row-major     W (out, in) quantized     y (m, out) fp32, row-major
 * </pre>
 */
public final class QuantizedMatMul {
    private QuantizedMatMul() {}

    /** Products with fewer multiply-adds (m * out * in) than this stay on the calling thread. */
    static final long PARALLEL_MIN_WORK = 1L << 17;

    /** {@code y[yOff..] (m, out) = x[xOff..] (m, in) W^T}; the fast path. */
    public static void linear(QuantizedMatrix w, float[] x, int xOff, int m, float[] y, int yOff) {
        int in = w.cols();
        int out = w.rows();
        Q8Activations xq = Q8Activations.quantize(x, xOff, m, in);
        long work = (long) m * out * in;
        if (work < PARALLEL_MIN_WORK) {
            rows(w, xq, m, 0, out, y, yOff);
            return;
        }
        int grain = (int) Math.max(8, PARALLEL_MIN_WORK / ((long) m * in));
        ComputePool.shared().parallelFor(out, grain, (j0, j1) -> rows(w, xq, m, j0, j1, y, yOff));
    }

    /** Outputs j0..j1 of every row: two activation rows per pass over a weight row, then the rest one by one. */
    private static void rows(QuantizedMatrix w, Q8Activations xq, int m, int j0, int j1, float[] y, int yOff) {
        int out = w.rows();
        for (int j = j0; j < j1; j++) {
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                w.dot2(j, xq, i, y, yOff + i * out + j, out);
            }
            for (; i < m; i++) {
                y[yOff + i * out + j] = w.dot(j, xq, i);
            }
        }
    }

    /** The same product in plain scalar loops on one thread: what tests compare {@link #linear} with. */
    public static void linearReference(QuantizedMatrix w, float[] x, int xOff, int m, float[] y, int yOff) {
        Q8Activations xq = Q8Activations.quantize(x, xOff, m, w.cols());
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < w.rows(); j++) {
                y[yOff + i * w.rows() + j] = w.dotReference(j, xq, i);
            }
        }
    }
}
