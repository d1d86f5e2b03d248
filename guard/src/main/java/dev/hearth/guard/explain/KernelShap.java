package dev.hearth.guard.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * KernelSHAP (Lundberg and Lee, 2017): Shapley values as the weighted least-squares fit of the
 * coalition scores under the Shapley kernel, constrained so the values add up to
 * {@code f(x) - E[f(background)]}. With {@code 2^d - 2 <= samples} every coalition is evaluated
 * and the values are the exact Shapley values; past that, whole coalition sizes are enumerated
 * from the smallest (and their complements) while the budget allows, as SHAP does, and the rest
 * is sampled from the kernel with each draw paired with its complement. Seeded: the same seed
 * gives the same values.
 *
 * <p>The cost is {@code samples x background rows} model rows: summarise a large background
 * with {@link Background#summarize}.
 *
 * @param samples coalitions evaluated at most (SHAP's "auto" is 2d + 2048)
 * @param seed    the seed for sampling
 */
public record KernelShap(int samples, long seed) {

    public static KernelShap withSeed(long seed) {
        return new KernelShap(2048, seed);
    }

    public KernelShap {
        if (samples < 2) {
            throw new ExplainException("KernelSHAP needs at least 2 samples, not " + samples);
        }
    }

    public Attribution explain(CoalitionModel model) {
        int d = model.featureNames().size();
        double expected = model.emptyScore();
        double full = model.fullScore();
        Map<String, Double> checks = new LinkedHashMap<>();
        checks.put("expected_value", expected);
        if (d == 1) {
            checks.put("coalitions", 0.0);
            checks.put("exact", 1.0);
            return new Attribution("kernel_shap", model.target(), model.featureNames(), new double[] {full - expected},
                    full, expected, checks);
        }
        Map<Key, Double> weights = new LinkedHashMap<>();
        boolean exact = d < 31 && (1L << d) - 2 <= samples;
        if (exact) {
            for (long mask = 1; mask < (1L << d) - 1; mask++) {
                boolean[] c = new boolean[d];
                int size = 0;
                for (int i = 0; i < d; i++) {
                    if ((mask >>> i & 1) == 1) {
                        c[i] = true;
                        size++;
                    }
                }
                weights.put(new Key(c), mass(d, size) / binomial(d, size));
            }
        } else {
            sample(d, weights);
        }
        List<boolean[]> coalitions = new ArrayList<>(weights.size());
        double[] w = new double[weights.size()];
        int n = 0;
        for (Map.Entry<Key, Double> e : weights.entrySet()) {
            coalitions.add(e.getKey().flags());
            w[n++] = e.getValue();
        }
        double[] y = model.scores(coalitions);
        // eliminate the last feature with the constraint Σφ = full - expected, then solve for the rest
        double gap = full - expected;
        double[][] x = new double[n][d - 1];
        double[] target = new double[n];
        for (int s = 0; s < n; s++) {
            boolean[] c = coalitions.get(s);
            double last = c[d - 1] ? 1 : 0;
            for (int i = 0; i < d - 1; i++) {
                x[s][i] = (c[i] ? 1 : 0) - last;
            }
            target[s] = y[s] - expected - last * gap;
        }
        double[] head = LeastSquares.solve(x, target, w, 0);
        double[] phi = Arrays.copyOf(head, d);
        double sum = 0;
        for (double v : head) {
            sum += v;
        }
        phi[d - 1] = gap - sum;
        checks.put("coalitions", (double) n);
        checks.put("exact", exact ? 1.0 : 0.0);
        return new Attribution("kernel_shap", model.target(), model.featureNames(), phi, full, expected, checks);
    }

    /** The Shapley kernel's total weight on coalitions of a size: (d-1) / (size (d - size)). */
    private static double mass(int d, int size) {
        return (d - 1.0) / ((double) size * (d - size));
    }

    private static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    private void sample(int d, Map<Key, Double> weights) {
        int budget = samples;
        int sizes = (d - 1 + 1) / 2;                       // sizes 1..ceil((d-1)/2), each with its complement
        double[] sizeMass = new double[sizes + 1];
        for (int s = 1; s <= sizes; s++) {
            sizeMass[s] = mass(d, s) * (s != d - s ? 2 : 1);
        }
        double remainingMass = 0;
        for (int s = 1; s <= sizes; s++) {
            remainingMass += sizeMass[s];
        }
        int firstSampled = 1;
        for (int s = 1; s <= sizes; s++) {
            double count = binomial(d, s) * (s != d - s ? 2 : 1);
            if (count > budget || budget * sizeMass[s] / remainingMass < count - 1e-8) {
                break;
            }
            enumerate(d, s, weights);
            if (s != d - s) {
                enumerate(d, d - s, weights);
            }
            budget -= (int) count;
            remainingMass -= sizeMass[s];
            firstSampled = s + 1;
        }
        if (firstSampled > sizes || budget < 2) {
            return;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int draws = budget / 2;
        double perDraw = remainingMass / (2.0 * draws);
        int[] order = new int[d];
        for (int k = 0; k < draws; k++) {
            double pick = rng.nextDouble() * remainingMass;
            int size = sizes;
            for (int s = firstSampled; s <= sizes; s++) {
                pick -= sizeMass[s];
                if (pick <= 0) {
                    size = s;
                    break;
                }
            }
            for (int i = 0; i < d; i++) {
                order[i] = i;
            }
            boolean[] c = new boolean[d];
            for (int i = 0; i < size; i++) {
                int j = i + rng.nextInt(d - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                c[order[i]] = true;
            }
            boolean[] complement = new boolean[d];
            for (int i = 0; i < d; i++) {
                complement[i] = !c[i];
            }
            weights.merge(new Key(c), perDraw, Double::sum);
            weights.merge(new Key(complement), perDraw, Double::sum);
        }
    }

    /** Adds every coalition of exactly {@code size} features with its kernel weight. */
    private static void enumerate(int d, int size, Map<Key, Double> weights) {
        double each = mass(d, size) / binomial(d, size);
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        while (true) {
            boolean[] c = new boolean[d];
            for (int i : idx) {
                c[i] = true;
            }
            weights.put(new Key(c), each);
            int i = size - 1;
            while (i >= 0 && idx[i] == d - size + i) {
                i--;
            }
            if (i < 0) {
                return;
            }
            idx[i]++;
            for (int j = i + 1; j < size; j++) {
                idx[j] = idx[j - 1] + 1;
            }
        }
    }

    /** A coalition as a map key. */
    private record Key(boolean[] flags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(flags, k.flags);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(flags);
        }
    }
}
