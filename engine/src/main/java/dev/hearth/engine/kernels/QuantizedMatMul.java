package dev.hearth.engine.kernels;

import dev.hearth.engine.quant.Q8Activations;
import dev.hearth.engine.quant.QuantizedMatrix;

/**
 * {@code y = x W^T} with W quantized (Q8_0, Q4_0 or per-channel int8): the activations are
 * quantized to 8-bit blocks of 32 on the fly, once per call, and every output is an integer dot
 * product over the packed blocks, never a float copy of W. Matrix-vector (decode, m = 1) and
 * matrix-matrix (prompt, m > 1) alike: the output features are split over the compute pool, and
 * each weight row meets two activation rows at a time ({@link QuantizedMatrix#productPair}), so
 * it is unpacked once per two, and a last odd row alone ({@link QuantizedMatrix#productRow}).
 *
 * <pre>
 * x (m, in) fp32, row-major     W (out, in) quantized     y (m, out) fp32, row-major
 * </pre>
 */
public final class QuantizedMatMul {
    private QuantizedMatMul() {}

    /**
     * Products with fewer multiply-adds (m * out * in) than this stay on the calling thread. A
     * parallel loop costs about a microsecond here, and 32K multiply-adds about five: at 2^17
     * the 15M model's 288 x 288 and 768 x 288 matrices stayed on one thread and two threads
     * decoded only 5% faster than one; at 2^15 they split and two threads gain 15-30%.
     */
    static final long PARALLEL_MIN_WORK = 1L << 15;

    /** Weight rows a prompt's pairs of activation rows go through before the next rows are read. */
    private static final int ROWS_IN_CACHE = 16;

    /** {@code y[yOff..] (m, out) = x[xOff..] (m, in) W^T}; the fast path. */
    public static void linear(QuantizedMatrix w, float[] x, int xOff, int m, float[] y, int yOff) {
        int in = w.cols();
        int out = w.rows();
        Q8Activations xq = Q8Activations.quantize(x, xOff, m, in);
        long work = (long) m * out * in;
        int group = w.rowGroup();
        int grain = work < PARALLEL_MIN_WORK ? out : roundUp((int) Math.max(8, PARALLEL_MIN_WORK / ((long) m * in)), group);
        int rowsInCache = roundUp(ROWS_IN_CACHE, group);
        // two parallel loops with a kernel each, never one loop calling both kernels: see productRow
        ComputePool pool = ComputePool.shared();
        if (m >= 2) {
            pool.parallelFor(out, grain, (j0, j1) -> {
                for (int jb = j0; jb < j1; jb += rowsInCache) {        // these weight rows stay in L1 for every pair
                    int je = Math.min(j1, jb + rowsInCache);
                    for (int i = 0; i + 2 <= m; i += 2) {
                        w.productPair(xq, i, jb, je, y, yOff);
                    }
                }
            });
        }
        if (m % 2 == 1) {
            pool.parallelFor(out, grain, (j0, j1) -> w.productRow(xq, m - 1, j0, j1, y, yOff));
        }
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
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
