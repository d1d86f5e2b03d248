package dev.hearth.bench;

import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.tensor.Rng;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a decode step's few-row products are bound by reading the weights: ROWS rows through
 * the products of a Llama of width DIM, hidden size FF, LAYERS layers and a head of VOCAB tokens
 * (q, k, v with KV_DIM outputs, o, gate, up, down, head; the demo model by default), as
 * {@link Gemm#smallRows} computes them from kept panels, in two ways: "cold", every matrix in
 * turn as a step reads them (together larger than a core's L2, so each step streams them from
 * L3 or memory), and "hot", the same number of products over one layer's first matrix and its
 * gate, which stay in L2. Prints the best of ROUNDS rounds of STEPS steps, in CPU time per step
 * and multiply-adds per second.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Dhearth.threads=1 -cp
 * bench/target/benchmarks.jar dev.hearth.bench.FewRowSpeed [ROWS=8] [DIM=128] [KV_DIM=64]
 * [FF=352] [LAYERS=4] [VOCAB=1024] [ROUNDS=30] [STEPS=300]}
 */
public final class FewRowSpeed {
    private FewRowSpeed() {}

    /** A weight (n x k) as kept panels. */
    private record Matrix(int n, int k, float[] panels) {}

    public static void main(String[] args) {
        int rows = arg(args, 0, 8);
        int dim = arg(args, 1, 128);
        int kvDim = arg(args, 2, 64);
        int ff = arg(args, 3, 352);
        int layers = arg(args, 4, 4);
        int vocab = arg(args, 5, 1024);
        int rounds = arg(args, 6, 30);
        int steps = arg(args, 7, 300);
        if (rows < 1 || dim < 1 || kvDim < 1 || ff < 1 || layers < 1 || vocab < 1 || rounds < 1 || steps < 1) {
            throw new IllegalArgumentException("every argument must be at least 1");
        }
        Rng rng = new Rng(1);
        List<Matrix> step = new ArrayList<>();
        int[][] shapes = {{dim, dim}, {kvDim, dim}, {kvDim, dim}, {dim, dim}, {ff, dim}, {ff, dim}, {dim, ff}};
        for (int l = 0; l < layers; l++) {
            for (int[] s : shapes) {
                step.add(matrix(s[0], s[1], rng));
            }
        }
        step.add(matrix(vocab, dim, rng));
        List<Matrix> hot = new ArrayList<>();
        for (int i = 0; i < step.size(); i++) {
            hot.add(step.get(i % shapes.length == 4 ? 4 : 0));             // the first matrix and the gate
        }
        int widest = Math.max(Math.max(dim, ff), vocab);
        float[] a = new float[rows * widest];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        float[] c = new float[rows * widest];
        long bytes = 0;
        for (Matrix m : step) {
            bytes += 4L * m.panels().length;
        }
        System.out.printf(Locale.ROOT, "%d rows, %d products a step, %.2f MB of kept panels%n", rows, step.size(),
                bytes / 1e6);
        run("cold (every matrix in turn)", step, rows, a, c, rounds, steps);
        run("hot (two matrices that stay in L2)", hot, rows, a, c, rounds, steps);
    }

    private static void run(String label, List<Matrix> step, int rows, float[] a, float[] c, int rounds, int steps) {
        long macs = 0;
        for (Matrix m : step) {
            macs += (long) rows * m.n() * m.k();
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int s = 0; s < steps; s++) {
                for (Matrix m : step) {
                    Gemm.smallRows(rows, m.n(), m.k(), a, 0, m.k(), m.panels(), 0f, c, 0, m.n());
                }
            }
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / (double) steps);
        }
        System.out.printf(Locale.ROOT, "%-36s %7.1f us of CPU a step, %5.1f GMAC/s (best of %d rounds of %d; %s)%n",
                label, best / 1e3, macs / best, rounds, steps, c[1]);
    }

    private static Matrix matrix(int n, int k, Rng rng) {
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextGaussian() * 0.05);
        }
        return new Matrix(n, k, Gemm.panels(n, k, w, 0, k, 1));
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }
}
