package dev.hearth.bench;

import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.QuantizedMatMul;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import java.util.Locale;

/**
 * The quantized matrix-vector and matrix-matrix products alone, on the shapes of the 15M Llama
 * (the 32,000 x 288 head and a 768 x 288 MLP matrix): weights read per second and multiply-adds
 * per second for each format, best of several timed repetitions. A plain main, not a test.
 *
 * <p>Arguments (optional): rows (32000), cols (288), activation rows m (1), formats (q8_0,q4_0,int8).
 */
public final class QuantizedMatVecSpeed {
    private QuantizedMatVecSpeed() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32000;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 288;
        int m = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String[] formats = (args.length > 3 ? args[3] : "q8_0,q4_0,int8").split(",");
        Rng rng = new Rng(1);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * 0.02f;
        }
        float[] x = new float[m * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = new float[m * rows];
        System.out.printf(Locale.ROOT, "W %d x %d, x %d x %d, %d thread(s)%n", rows, cols, m, cols,
                ComputePool.shared().threads());
        for (String f : formats) {
            QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.parse(f), w, 0, rows, cols);
            double best = Double.MAX_VALUE;
            int reps = (int) Math.max(3, 2e8 / ((double) rows * cols * m));
            for (int round = 0; round < 8; round++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    QuantizedMatMul.linear(q, x, 0, m, y, 0);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            }
            System.out.printf(Locale.ROOT, "%-5s %8.1f us per product, %6.2f GB/s of weights, %6.2f GMAC/s%n", f,
                    best * 1e6, q.byteSize() / best / 1e9, (double) rows * cols * m / best / 1e9);
        }
    }
}
