package dev.hearth.guard.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LIME (Ribeiro et al., 2016) over features switched on and off: samples coalitions around the
 * input (the first keeps every feature; each other removes a uniformly drawn number of features,
 * as LIME's text explainer does), weights each by an exponential kernel on its cosine distance
 * from the input, and fits a weighted ridge regression whose coefficients are the attributions.
 * The fit's weighted R² and intercept are reported: a low R² says the local linear story is poor.
 *
 * <p>Every draw comes from {@code seed}: the same seed gives the same answer, run after run —
 * the reproducibility LIME's users miss.
 *
 * @param samples     coalitions evaluated (LIME's default 5000)
 * @param kernelWidth width of the kernel on cosine distance in [0, 1] (LIME's 25 on distance × 100)
 * @param ridge       the ridge penalty (LIME's default Ridge(alpha=1))
 * @param seed        the seed for sampling
 */
public record Lime(int samples, double kernelWidth, double ridge, long seed) {

    public static Lime withSeed(long seed) {
        return new Lime(5000, 0.25, 1.0, seed);
    }

    public Lime {
        if (samples < 2) {
            throw new ExplainException("LIME needs at least 2 samples, not " + samples);
        }
        if (!(kernelWidth > 0)) {
            throw new ExplainException("the LIME kernel width must be positive, not " + kernelWidth);
        }
        if (!(ridge >= 0)) {
            throw new ExplainException("the LIME ridge penalty must be 0 or more, not " + ridge);
        }
    }

    public Attribution explain(CoalitionModel model) {
        int d = model.featureNames().size();
        SplittableRandom rng = new SplittableRandom(seed);
        List<boolean[]> coalitions = new ArrayList<>(samples);
        boolean[] all = new boolean[d];
        Arrays.fill(all, true);
        coalitions.add(all);
        int[] order = new int[d];
        for (int s = 1; s < samples; s++) {
            int remove = d == 1 ? 1 : 1 + rng.nextInt(d - 1);
            for (int i = 0; i < d; i++) {
                order[i] = i;
            }
            boolean[] c = all.clone();
            for (int i = 0; i < remove; i++) {                           // partial Fisher-Yates shuffle
                int j = i + rng.nextInt(d - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                c[order[i]] = false;
            }
            coalitions.add(c);
        }
        double[] y = model.scores(coalitions);
        double[][] x = new double[samples][d];
        double[] w = new double[samples];
        for (int s = 0; s < samples; s++) {
            int present = 0;
            for (int i = 0; i < d; i++) {
                if (coalitions.get(s)[i]) {
                    x[s][i] = 1;
                    present++;
                }
            }
            double distance = 1 - Math.sqrt((double) present / d);
            w[s] = Math.sqrt(Math.exp(-(distance * distance) / (kernelWidth * kernelWidth)));
        }
        // centre by the weighted means so the intercept is not penalised (as scikit-learn's Ridge)
        double totalWeight = 0;
        double yMean = 0;
        double[] xMean = new double[d];
        for (int s = 0; s < samples; s++) {
            totalWeight += w[s];
            yMean += w[s] * y[s];
            for (int i = 0; i < d; i++) {
                xMean[i] += w[s] * x[s][i];
            }
        }
        yMean /= totalWeight;
        double[][] xc = new double[samples][d];
        double[] yc = new double[samples];
        for (int s = 0; s < samples; s++) {
            yc[s] = y[s] - yMean;
            for (int i = 0; i < d; i++) {
                xc[s][i] = x[s][i] - xMean[i] / totalWeight;
            }
        }
        double[] beta = LeastSquares.solve(xc, yc, w, ridge);
        double intercept = yMean;
        for (int i = 0; i < d; i++) {
            intercept -= beta[i] * xMean[i] / totalWeight;
        }
        double residual = 0;
        double spread = 0;
        for (int s = 0; s < samples; s++) {
            double fit = intercept;
            for (int i = 0; i < d; i++) {
                fit += beta[i] * x[s][i];
            }
            residual += w[s] * (y[s] - fit) * (y[s] - fit);
            spread += w[s] * (y[s] - yMean) * (y[s] - yMean);
        }
        double local = intercept;
        for (double b : beta) {
            local += b;
        }
        Map<String, Double> checks = new LinkedHashMap<>();
        checks.put("r2", spread == 0 ? 1.0 : 1 - residual / spread);
        checks.put("intercept", intercept);
        checks.put("local_prediction", local);
        checks.put("samples", (double) samples);
        checks.put("seed", (double) seed);
        return new Attribution("lime", model.target(), model.featureNames(), beta, y[0], Double.NaN, checks);
    }
}
