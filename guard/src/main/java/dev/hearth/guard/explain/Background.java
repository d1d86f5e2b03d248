package dev.hearth.guard.explain;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reference rows a missing feature takes its values from, each with a weight: one baseline (all
 * zeros, a mean), a sample of training rows, or their k-means summary — SHAP's answer to
 * KernelSHAP's cost, which grows with every background row.
 *
 * @param rows    reference inputs, each as wide as the model's input
 * @param weights one positive weight per row
 */
public record Background(float[][] rows, double[] weights) {

    public Background {
        if (rows.length == 0) {
            throw new ExplainException("the background has no rows; give at least one reference input");
        }
        if (weights.length != rows.length) {
            throw new ExplainException(weights.length + " weights for " + rows.length + " background rows");
        }
        rows = rows.clone();
        weights = weights.clone();
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != rows[0].length) {
                throw new ExplainException("background row " + r + " has " + rows[r].length + " values, row 0 has "
                        + rows[0].length);
            }
            if (!(weights[r] > 0) || !Double.isFinite(weights[r])) {
                throw new ExplainException("background row " + r + " has weight " + weights[r] + "; weights must be positive");
            }
        }
    }

    /** A single reference input. */
    public static Background baseline(float[] row) {
        return new Background(new float[][] {row.clone()}, new double[] {1});
    }

    /** Rows weighted equally. */
    public static Background of(float[][] rows) {
        double[] w = new double[rows.length];
        Arrays.fill(w, 1);
        return new Background(rows, w);
    }

    /**
     * At most k weighted centres of the rows, by k-means (k-means++ seeding, then Lloyd's
     * iterations), each weighted by the rows it stands for; fewer rows than k are kept as they are.
     */
    public static Background summarize(float[][] rows, int k, long seed) {
        if (k < 1) {
            throw new ExplainException("a background summary needs at least 1 centre, not " + k);
        }
        Background all = of(rows);
        if (rows.length <= k) {
            return all;
        }
        int d = rows[0].length;
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] centres = new float[k][];
        centres[0] = rows[rng.nextInt(rows.length)].clone();
        double[] nearest = new double[rows.length];
        Arrays.fill(nearest, Double.MAX_VALUE);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int r = 0; r < rows.length; r++) {
                nearest[r] = Math.min(nearest[r], distance(rows[r], centres[c - 1]));
                total += nearest[r];
            }
            double pick = rng.nextDouble() * total;
            int chosen = rows.length - 1;
            for (int r = 0; r < rows.length; r++) {
                pick -= nearest[r];
                if (pick <= 0) {
                    chosen = r;
                    break;
                }
            }
            centres[c] = rows[chosen].clone();
        }
        int[] assignment = new int[rows.length];
        for (int iter = 0; iter < 100; iter++) {
            boolean moved = false;
            for (int r = 0; r < rows.length; r++) {
                int best = 0;
                double bestDistance = Double.MAX_VALUE;
                for (int c = 0; c < k; c++) {
                    double dist = distance(rows[r], centres[c]);
                    if (dist < bestDistance) {
                        bestDistance = dist;
                        best = c;
                    }
                }
                moved |= iter == 0 || assignment[r] != best;
                assignment[r] = best;
            }
            if (!moved) {
                break;
            }
            double[][] sums = new double[k][d];
            int[] counts = new int[k];
            for (int r = 0; r < rows.length; r++) {
                counts[assignment[r]]++;
                for (int j = 0; j < d; j++) {
                    sums[assignment[r]][j] += rows[r][j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    for (int j = 0; j < d; j++) {
                        centres[c][j] = (float) (sums[c][j] / counts[c]);
                    }
                }
            }
        }
        int[] counts = new int[k];
        for (int a : assignment) {
            counts[a]++;
        }
        int kept = (int) Arrays.stream(counts).filter(c -> c > 0).count();
        float[][] keptRows = new float[kept][];
        double[] keptWeights = new double[kept];
        int i = 0;
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                keptRows[i] = centres[c];
                keptWeights[i++] = counts[c];
            }
        }
        return new Background(keptRows, keptWeights);
    }

    public int width() {
        return rows[0].length;
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double diff = a[j] - b[j];
            s += diff * diff;
        }
        return s;
    }
}
