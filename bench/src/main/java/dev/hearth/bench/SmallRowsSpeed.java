package dev.hearth.bench;

import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.tensor.Rng;
import java.util.Locale;

/**
 * The few-row product of a served model's decode step alone ({@link Gemm#smallRows}: m rows of
 * activations times a weight's kept panels), on the demo model's matrix shapes: the attention
 * projections (128 x 128), the MLP's (344 x 128 and 128 x 344) and the head (1,024 x 128).
 * Best CPU time of several timed repetitions per shape and row count, and multiply-adds per
 * second. A plain main, not a test.
 *
 * <p>Arguments (optional): row counts (1,4,8), shapes as NxK (128x128,344x128,128x344,1024x128).
 */
public final class SmallRowsSpeed {
    private SmallRowsSpeed() {}

    public static void main(String[] args) {
        String[] counts = (args.length > 0 ? args[0] : "1,4,8").split(",");
        String[] shapes = (args.length > 1 ? args[1] : "128x128,344x128,128x344,1024x128").split(",");
        var cpu = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Rng rng = new Rng(1);
        System.out.printf(Locale.ROOT, "%d thread(s), %d-bit vectors%n", ComputePool.shared().threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        for (String shape : shapes) {
            int n = Integer.parseInt(shape.split("x")[0]);
            int k = Integer.parseInt(shape.split("x")[1]);
            float[] w = new float[n * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextGaussian() * 0.02f;
            }
            float[] panels = Gemm.panels(n, k, w, 0, k, 1);
            for (String count : counts) {
                int m = Integer.parseInt(count);
                float[] a = new float[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rng.nextGaussian();
                }
                float[] c = new float[m * n];
                int reps = (int) Math.max(10, 5e7 / ((double) m * n * k));
                double best = Double.MAX_VALUE;
                for (int round = 0; round < 12; round++) {
                    long t0 = cpu.getCurrentThreadCpuTime();
                    for (int r = 0; r < reps; r++) {
                        Gemm.smallRows(m, n, k, a, 0, k, panels, 0f, c, 0, n);
                    }
                    best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / 1e9 / reps);
                }
                System.out.printf(Locale.ROOT, "m=%-2d %5d x %-4d %8.1f us %6.1f GMAC/s%n", m, n, k, best * 1e6,
                        (double) m * n * k / best / 1e9);
            }
        }
    }
}
