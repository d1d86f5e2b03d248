package dev.hearth.bench;

import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;

import java.util.List;
import java.util.Random;

/**
 * GFLOP/s of Hearth's {@link Gemm#sgemm} on square products and the matrix products of one
 * transformer layer, one machine-readable line per shape:
 * {@code shape m n k layout gflops}, where layout says how A and B are laid out (n: row-major,
 * t: a transposed view passed through strides). Lines starting with {@code #} are comments.
 *
 * <p>Each shape is warmed up, then timed as the best of several repetitions, each long enough
 * (many calls for small shapes) to time reliably. Threads: {@code HEARTH_THREADS} or
 * {@code -Dhearth.threads}. {@code bench/gemm.sh} runs this next to numpy + OpenBLAS on the same
 * shapes ({@code bench/gemm_numpy.py} keeps the same list).
 */
public final class GemmGflops {
    private GemmGflops() {}

    /** One product: C (m x n) = A (m x k) * B (k x n), with A and/or B given as transposed views. */
    record Shape(String name, int m, int n, int k, boolean aTransposed, boolean bTransposed) {
        String layout() {
            return (aTransposed ? "t" : "n") + (bTransposed ? "t" : "n");
        }
    }

    /** The shapes; keep in step with bench/gemm_numpy.py. */
    static final List<Shape> SHAPES = List.of(
            new Shape("square64", 64, 64, 64, false, false),
            new Shape("square256", 256, 256, 256, false, false),
            new Shape("square512", 512, 512, 512, false, false),
            new Shape("square1024", 1024, 1024, 1024, false, false),
            new Shape("square2048", 2048, 2048, 2048, false, false),
            // a transformer MLP, C = 384, B*T = 1024: x (BT x C) times W1 (C x 4C), as nn.Linear stores it (4C x C)
            new Shape("mlp_fwd", 1024, 1536, 384, false, true),
            // backward: dX = dY (BT x 4C) * W1 (4C x C); dW1 = dY^T (4C x BT) * X (BT x C)
            new Shape("mlp_dx", 1024, 384, 1536, false, false),
            new Shape("mlp_dw", 1536, 384, 1024, true, false),
            // training-step shapes of a small model: a 768 x 128 by 128 x 384 projection, one attention head
            new Shape("proj", 768, 384, 128, false, false),
            new Shape("head_qk", 64, 64, 64, false, true),
            // matrix-vector (decoding one token): x (1 x C) times W^T
            new Shape("gemv_768x2304", 1, 2304, 768, false, true),
            new Shape("gemv_2304x768", 1, 768, 2304, false, false));

    public static void main(String[] args) {
        double minSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.05;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        System.out.println("# hearth sgemm, threads " + ComputePool.shared().threads()
                + ", java " + Runtime.version() + ", best of " + reps);
        System.out.println("# shape m n k layout gflops");
        // Warm every shape up first: a path first taken late (a second block of k, a transposed
        // view) makes the JIT recompile code the earlier shapes share.
        for (Shape s : SHAPES) {
            gflops(s, minSeconds / 4, 1);
        }
        for (Shape s : SHAPES) {
            System.out.printf("%s %d %d %d %s %.2f%n", s.name(), s.m(), s.n(), s.k(), s.layout(),
                    gflops(s, minSeconds, reps));
        }
    }

    static double gflops(Shape s, double minSeconds, int reps) {
        int m = s.m(), n = s.n(), k = s.k();
        Random random = new Random(42);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() - 0.5f;
        }
        // A stored row-major m x k, or as the transpose of a row-major k x m matrix
        int aRs = s.aTransposed() ? 1 : k;
        int aCs = s.aTransposed() ? m : 1;
        int bRs = s.bTransposed() ? 1 : n;
        int bCs = s.bTransposed() ? k : 1;
        Runnable call = () -> Gemm.sgemm(m, n, k, 1f, a, 0, aRs, aCs, b, 0, bRs, bCs, 0f, c, 0, n);
        // warm up (JIT) and find how many calls make one repetition last minSeconds
        long calls = 1;
        long warmEnd = System.nanoTime() + (long) (10 * minSeconds * 1e9);
        while (true) {
            long t0 = System.nanoTime();
            for (long i = 0; i < calls; i++) {
                call.run();
            }
            long dt = System.nanoTime() - t0;
            if (dt >= minSeconds * 1e9 && System.nanoTime() > warmEnd) {
                break;
            }
            if (dt < minSeconds * 1e9) {
                calls *= 2;
            }
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < calls; i++) {
                call.run();
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * m * n * k * calls / best;
    }
}
