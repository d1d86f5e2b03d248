package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much each parameter explains the objective: random-forest permutation importance (Breiman,
 * "Random Forests", 2001). A forest of {@code TREES} regression trees is fitted to the complete
 * trials (each tree on a bootstrap sample, with a random half of the parameters tried at each
 * split); a parameter's importance is how much the error on each tree's out-of-bag trials grows
 * when that parameter's values are shuffled among them, averaged over trees, clipped at zero and
 * scaled to sum to 1. Parameters are the samplers' internal numbers (logarithms for log ranges,
 * choice indices for categorical ones). Needs at least {@code MIN_TRIALS} complete trials.
 */
public final class ParameterImportance {
    private ParameterImportance() {}

    static final int TREES = 64;
    public static final int MIN_TRIALS = 5;
    private static final int MIN_LEAF = 2;
    private static final int MAX_DEPTH = 8;

    /** Importance by parameter name, largest first; empty when there are too few complete trials. */
    public static Map<String, Double> of(SearchSpace space, History history, long seed) {
        List<Trial> done = history.complete();
        int n = done.size();
        if (n < MIN_TRIALS) {
            return Map.of();
        }
        int d = space.params().size();
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                Param p = space.params().get(j);
                Object v = done.get(i).params().get(p.name());
                x[i][j] = v == null ? 0 : p.toInternal(v);
            }
            y[i] = history.loss(done.get(i).value());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] gain = new double[d];
        int counted = 0;
        for (int t = 0; t < TREES; t++) {
            int[] sample = new int[n];
            boolean[] inBag = new boolean[n];
            for (int i = 0; i < n; i++) {
                sample[i] = rng.nextInt(n);
                inBag[sample[i]] = true;
            }
            List<Integer> oob = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!inBag[i]) {
                    oob.add(i);
                }
            }
            if (oob.size() < 2) {
                continue;
            }
            Node tree = grow(x, y, sample, 0, rng);
            double base = error(tree, x, y, oob, -1, null);
            for (int j = 0; j < d; j++) {
                int[] perm = oob.stream().mapToInt(Integer::intValue).toArray();
                for (int i = perm.length - 1; i > 0; i--) {
                    int k = rng.nextInt(i + 1);
                    int s = perm[i];
                    perm[i] = perm[k];
                    perm[k] = s;
                }
                gain[j] += error(tree, x, y, oob, j, perm) - base;
            }
            counted++;
        }
        double total = 0;
        for (int j = 0; j < d; j++) {
            gain[j] = counted == 0 ? 0 : Math.max(0, gain[j] / counted);
            total += gain[j];
        }
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            order.add(j);
        }
        double sum = total;
        order.sort((a, b) -> Double.compare(gain[b], gain[a]));
        Map<String, Double> out = new LinkedHashMap<>();
        for (int j : order) {
            out.put(space.params().get(j).name(), sum > 0 ? gain[j] / sum : 1.0 / d);
        }
        return out;
    }

    /** Mean squared error on {@code rows}; with {@code feature} >= 0 its values are taken from {@code perm}'s rows. */
    private static double error(Node tree, double[][] x, double[] y, List<Integer> rows, int feature, int[] perm) {
        double sum = 0;
        for (int r = 0; r < rows.size(); r++) {
            double[] row = x[rows.get(r)];
            if (feature >= 0) {
                row = row.clone();
                row[feature] = x[perm[r]][feature];
            }
            double e = tree.predict(row) - y[rows.get(r)];
            sum += e * e;
        }
        return sum / rows.size();
    }

    private record Node(int feature, double threshold, Node left, Node right, double value) {
        double predict(double[] row) {
            if (left == null) {
                return value;
            }
            return row[feature] <= threshold ? left.predict(row) : right.predict(row);
        }
    }

    private static Node grow(double[][] x, double[] y, int[] rows, int depth, SplittableRandom rng) {
        double mean = Arrays.stream(rows).mapToDouble(i -> y[i]).average().orElse(0);
        if (rows.length < 2 * MIN_LEAF || depth >= MAX_DEPTH) {
            return new Node(-1, 0, null, null, mean);
        }
        int d = x[0].length;
        int tries = Math.max(1, (d + 1) / 2);
        double bestScore = Double.POSITIVE_INFINITY;
        int bestFeature = -1;
        double bestThreshold = 0;
        for (int k = 0; k < tries; k++) {
            int f = rng.nextInt(d);
            int[] sorted = Arrays.stream(rows).boxed().sorted((a, b) -> Double.compare(x[a][f], x[b][f]))
                    .mapToInt(Integer::intValue).toArray();
            double total = 0;
            double totalSq = 0;
            for (int i : sorted) {
                total += y[i];
                totalSq += y[i] * y[i];
            }
            double left = 0;
            double leftSq = 0;
            for (int s = 0; s < sorted.length - 1; s++) {
                left += y[sorted[s]];
                leftSq += y[sorted[s]] * y[sorted[s]];
                int nl = s + 1;
                int nr = sorted.length - nl;
                if (nl < MIN_LEAF || nr < MIN_LEAF || x[sorted[s]][f] == x[sorted[s + 1]][f]) {
                    continue;
                }
                double right = total - left;
                double rightSq = totalSq - leftSq;
                double sse = (leftSq - left * left / nl) + (rightSq - right * right / nr);
                if (sse < bestScore) {
                    bestScore = sse;
                    bestFeature = f;
                    bestThreshold = 0.5 * (x[sorted[s]][f] + x[sorted[s + 1]][f]);
                }
            }
        }
        if (bestFeature < 0) {
            return new Node(-1, 0, null, null, mean);
        }
        int bf = bestFeature;
        double bt = bestThreshold;
        int[] l = Arrays.stream(rows).filter(i -> x[i][bf] <= bt).toArray();
        int[] r = Arrays.stream(rows).filter(i -> x[i][bf] > bt).toArray();
        return new Node(bf, bt, grow(x, y, l, depth + 1, rng), grow(x, y, r, depth + 1, rng), mean);
    }
}
