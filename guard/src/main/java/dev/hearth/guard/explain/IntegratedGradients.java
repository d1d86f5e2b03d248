package dev.hearth.guard.explain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Integrated gradients (Sundararajan et al., 2017): each input's difference from a baseline times
 * the mean gradient along the straight path from the baseline to the input,
 * {@code (x - x') * ∫ ∂f(x' + α(x - x'))/∂x dα}. The attributions add up to
 * {@code f(x) - f(x')} (completeness); the gap left by the numerical integral is reported as
 * {@code completeness_delta} so a user sees whether the steps were enough.
 *
 * <p>The integral uses Gauss-Legendre nodes by default (Captum's default too) or the trapezoid
 * rule. The path points go through the model {@code batch} at a time, so memory stays bounded by
 * the batch whatever the number of steps.
 *
 * @param steps  points on the path (Captum's default 50)
 * @param rule   the quadrature
 * @param batch  path points per forward/backward pass
 */
public record IntegratedGradients(int steps, Rule rule, int batch) {

    public enum Rule { GAUSS_LEGENDRE, TRAPEZOID }

    public static final IntegratedGradients DEFAULTS = new IntegratedGradients(50, Rule.GAUSS_LEGENDRE, 16);

    public IntegratedGradients {
        if (steps < 2 || steps > 100_000) {
            throw new ExplainException("integrated gradients needs 2 to 100000 steps, not " + steps);
        }
        if (batch < 1) {
            throw new ExplainException("the integrated-gradients batch must be at least 1, not " + batch);
        }
    }

    public Attribution explain(ScoreModel model, float[] input, float[] baseline, FeatureGroups features, int target) {
        int d = Saliency.checkInput(input, features);
        if (baseline.length != d) {
            throw new ExplainException("the baseline has " + baseline.length + " values for an input of " + d);
        }
        double[][] nodes = rule == Rule.GAUSS_LEGENDRE ? gaussLegendre(steps) : trapezoid(steps);
        double[] alphas = nodes[0];
        double[] weights = nodes[1];
        double[] meanGradient = new double[d];
        for (int from = 0; from < steps; from += batch) {
            int n = Math.min(batch, steps - from);
            float[] points = new float[n * d];
            for (int k = 0; k < n; k++) {
                float a = (float) alphas[from + k];
                for (int i = 0; i < d; i++) {
                    points[k * d + i] = baseline[i] + a * (input[i] - baseline[i]);
                }
            }
            float[] g = new float[n * d];
            InputGradients.gradients(model, points, n, d, target, g);
            for (int k = 0; k < n; k++) {
                double w = weights[from + k];
                for (int i = 0; i < d; i++) {
                    meanGradient[i] += w * g[k * d + i];
                }
            }
        }
        double[] perPosition = new double[d];
        for (int i = 0; i < d; i++) {
            perPosition[i] = ((double) input[i] - baseline[i]) * meanGradient[i];
        }
        float[] ends = new float[2 * d];
        System.arraycopy(input, 0, ends, 0, d);
        System.arraycopy(baseline, 0, ends, d, d);
        double[] scores = InputGradients.scores(model, ends, 2, d, target);
        double[] values = features.sum(perPosition);
        double total = 0;
        for (double v : perPosition) {
            total += v;
        }
        double gap = total - (scores[0] - scores[1]);
        Map<String, Double> checks = new LinkedHashMap<>();
        checks.put("completeness_delta", gap);
        checks.put("relative_completeness_delta", gap / Math.max(Math.abs(scores[0] - scores[1]), 1e-12));
        checks.put("steps", (double) steps);
        return new Attribution("integrated_gradients", target, features.names(), values, scores[0], scores[1], checks);
    }

    /** Nodes and weights of the n-point Gauss-Legendre rule, moved to [0, 1]. */
    static double[][] gaussLegendre(int n) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));      // Tricomi's first guess of root i
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = z;
                for (int k = 2; k <= n; k++) {                         // Bonnet's recursion for P_n(z)
                    double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (z * p1 - p0) / (z * z - 1);
                double step = p1 / dp;
                z -= step;
                if (Math.abs(step) < 1e-15) {
                    break;
                }
            }
            double weight = 2 / ((1 - z * z) * dp * dp);
            x[i] = (1 - z) / 2;
            x[n - 1 - i] = (1 + z) / 2;
            w[i] = weight / 2;
            w[n - 1 - i] = weight / 2;
        }
        return new double[][] {x, w};
    }

    /** n evenly spaced points from 0 to 1 with the trapezoid rule's weights. */
    static double[][] trapezoid(int n) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = (double) k / (n - 1);
            w[k] = (k == 0 || k == n - 1 ? 0.5 : 1.0) / (n - 1);
        }
        return new double[][] {x, w};
    }
}
