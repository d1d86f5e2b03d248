package dev.hearth.guard.dp;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Poisson sampling of batches, the sampling DP-SGD's accounting assumes: every example joins a step's batch
 * independently with probability q, so batch sizes vary around {@code q * examples}. Drawn by geometric jumps
 * between chosen indices ({@code log(U) / log(1 - q)}), so a step costs the batch size, not the dataset size.
 */
public final class PoissonSampling {

    private PoissonSampling() {}

    /** The indices in {@code [0, examples)} chosen for one step, in increasing order (possibly none). */
    public static int[] sample(long examples, double q, RandomGenerator random) {
        if (examples < 1 || examples > Integer.MAX_VALUE) {
            throw new DpException("Poisson sampling needs between 1 and " + Integer.MAX_VALUE + " examples, got "
                    + examples);
        }
        new SampledGaussian(q, 1, 1); // validates q
        int n = (int) examples;
        if (q == 1.0) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        double logKeepOut = Math.log1p(-q);
        int[] out = new int[Math.max(16, (int) Math.min(n, q * n * 1.5 + 16))];
        int size = 0;
        long i = -1;
        while (true) {
            double u = 1.0 - random.nextDouble(); // in (0, 1]
            i += 1 + (long) Math.floor(Math.log(u) / logKeepOut);
            if (i >= n) {
                break;
            }
            if (size == out.length) {
                out = Arrays.copyOf(out, Math.min(n, out.length * 2));
            }
            out[size++] = (int) i;
        }
        return Arrays.copyOf(out, size);
    }
}
