package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011), with the defaults Optuna's TPESampler uses:
 *
 * <ul>
 *   <li>the first {@code nStartupTrials} (10) trials are random;</li>
 *   <li>then the finished trials are ranked (complete ones by value, pruned ones after them, those that
 *       got further first) and split: the best {@code min(ceil(gamma * n), 25)} (gamma 0.1) are "good";</li>
 *   <li>each parameter gets two Parzen estimators, l(x) over the good trials and g(x) over the rest: a
 *       truncated normal per trial centred on its value, its width the larger gap to its neighbours
 *       (clipped to [range / min(100, n + 1), range]), plus the prior, a normal over the whole range with
 *       weight {@code priorWeight} (1.0); older trials weigh less once there are more than 25;</li>
 *   <li>{@code nEiCandidates} (24) candidates are drawn from l and the one with the highest l(x) / g(x)
 *       (which maximises expected improvement) is taken.</li>
 * </ul>
 *
 * Parameters are sampled independently (Optuna's default, {@code multivariate=False}). Int and stepped
 * parameters use the probability of their bin, categorical ones a mixture of "this choice" kernels and
 * the uniform prior.
 */
public record TpeSampler(long seed, int nStartupTrials, double gamma, int nEiCandidates, double priorWeight)
        implements Sampler {

    public TpeSampler {
        if (nStartupTrials < 1 || gamma <= 0 || gamma >= 1 || nEiCandidates < 1 || priorWeight <= 0) {
            throw new TuneException("tpe needs n_startup_trials >= 1, 0 < gamma < 1, n_ei_candidates >= 1 and"
                    + " prior_weight > 0");
        }
    }

    /** Optuna's defaults. */
    public TpeSampler(long seed) {
        this(seed, 10, 0.1, 24, 1.0);
    }

    @Override
    public String name() {
        return "tpe";
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, History history, int number) {
        SplittableRandom rng = Sampler.random(seed, number);
        List<Trial> ranked = history.ranked();
        Map<String, Object> out = new LinkedHashMap<>();
        if (ranked.size() < nStartupTrials) {
            for (Param p : space.params()) {
                out.put(p.name(), Sampler.uniform(p, rng));
            }
            return out;
        }
        int nBelow = Math.min((int) Math.ceil(gamma * ranked.size()), 25);
        List<Trial> below = byNumber(ranked.subList(0, nBelow));
        List<Trial> above = byNumber(ranked.subList(nBelow, ranked.size()));
        for (Param p : space.params()) {
            SplittableRandom prng = rng.split();
            Estimator l = estimator(p, below);
            Estimator g = estimator(p, above);
            double bestX = Double.NaN;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < nEiCandidates; c++) {
                double x = l.sample(prng);
                double score = l.logDensity(x) - g.logDensity(x);
                if (score > bestScore || Double.isNaN(bestX)) {
                    bestScore = score;
                    bestX = x;
                }
            }
            out.put(p.name(), p.toValue(bestX));
        }
        return out;
    }

    private static List<Trial> byNumber(List<Trial> trials) {
        return trials.stream().sorted(Comparator.comparingInt(Trial::number)).toList();
    }

    /** Optuna's default weights: flat for up to 25 trials, beyond that a ramp from 1/n for the oldest. */
    static double[] weights(int n) {
        double[] w = new double[n];
        if (n < 25) {
            Arrays.fill(w, 1.0);
            return w;
        }
        int ramp = n - 25;
        for (int i = 0; i < ramp; i++) {
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        }
        Arrays.fill(w, ramp, n, 1.0);
        return w;
    }

    private Estimator estimator(Param p, List<Trial> trials) {
        List<Double> xs = new ArrayList<>();
        List<Double> ws = new ArrayList<>();
        double[] w = weights(trials.size());
        for (int i = 0; i < trials.size(); i++) {
            Object v = trials.get(i).params().get(p.name());
            if (v != null) {
                xs.add(p.toInternal(v));
                ws.add(w[i]);
            }
        }
        return switch (p) {
            case Param.CategoricalParam c -> new CategoricalEstimator(c.choices().size(), xs, ws, priorWeight);
            case Param.IntParam i -> new NumericalEstimator(p, i.lowInternal(), i.highInternal(), xs, ws, priorWeight);
            case Param.FloatParam f -> f.step() == null
                    ? new NumericalEstimator(p, f.lowInternal(), f.highInternal(), xs, ws, priorWeight)
                    : new NumericalEstimator(p, f.low() - f.step() / 2, f.high() + f.step() / 2, xs, ws, priorWeight);
        };
    }

    /** A weighted mixture over one parameter's internal numbers. */
    sealed interface Estimator permits NumericalEstimator, CategoricalEstimator {
        double sample(SplittableRandom rng);

        double logDensity(double x);
    }

    /** Truncated normal kernels on [low, high]; for discrete parameters the density is the mass of the value's bin. */
    static final class NumericalEstimator implements Estimator {
        private final Param param;
        private final double low;
        private final double high;
        private final double[] mu;
        private final double[] sigma;
        private final double[] weight;

        NumericalEstimator(Param param, double low, double high, List<Double> xs, List<Double> ws, double priorWeight) {
            this.param = param;
            this.low = low;
            this.high = high;
            int n = xs.size() + 1;
            mu = new double[n];
            weight = new double[n];
            for (int i = 0; i < xs.size(); i++) {
                mu[i] = xs.get(i);
                weight[i] = ws.get(i);
            }
            mu[n - 1] = 0.5 * (low + high); // the prior
            weight[n - 1] = priorWeight;
            double total = Arrays.stream(weight).sum();
            for (int i = 0; i < n; i++) {
                weight[i] /= total;
            }
            sigma = bandwidths(mu, low, high);
            sigma[n - 1] = high - low;
        }

        /** Each kernel as wide as the larger gap to its neighbours (the range's ends count as neighbours), clipped. */
        private static double[] bandwidths(double[] mu, double low, double high) {
            int n = mu.length;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> mu[i]));
            double[] sorted = new double[n + 2];
            sorted[0] = low;
            sorted[n + 1] = high;
            for (int i = 0; i < n; i++) {
                sorted[i + 1] = mu[order[i]];
            }
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = Math.max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
            }
            if (n >= 2) { // the ends of the range are not observations: the outer kernels look inward
                s[0] = sorted[2] - sorted[1];
                s[n - 1] = sorted[n] - sorted[n - 1];
            }
            double max = high - low;
            double min = (high - low) / Math.min(100.0, 1.0 + n);
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[order[i]] = Math.max(min, Math.min(max, s[i]));
            }
            return out;
        }

        @Override
        public double sample(SplittableRandom rng) {
            double u = rng.nextDouble();
            int k = 0;
            for (double acc = weight[0]; acc < u && k < weight.length - 1; acc += weight[++k]) {
                // find the kernel
            }
            for (int attempt = 0; attempt < 1000; attempt++) {
                double x = mu[k] + sigma[k] * gaussian(rng);
                if (x >= low && x <= high) {
                    return snap(x);
                }
            }
            return snap(Math.max(low, Math.min(high, mu[k])));
        }

        /** Discrete parameters: the internal number of the value x rounds to. */
        private double snap(double x) {
            return discrete() ? param.toInternal(param.toValue(x)) : x;
        }

        private boolean discrete() {
            return param instanceof Param.IntParam || param instanceof Param.FloatParam f && f.step() != null;
        }

        @Override
        public double logDensity(double x) {
            double lo = x;
            double hi = x;
            if (param instanceof Param.IntParam i) {
                long v = (long) i.toValue(x);
                lo = i.log() ? Math.log(v - 0.5) : v - 0.5 * i.step();
                hi = i.log() ? Math.log(v + 0.5) : v + 0.5 * i.step();
            } else if (param instanceof Param.FloatParam f && f.step() != null) {
                lo = x - f.step() / 2;
                hi = x + f.step() / 2;
            }
            double sum = 0;
            for (int k = 0; k < mu.length; k++) {
                double z = Normal.between((low - mu[k]) / sigma[k], (high - mu[k]) / sigma[k]);
                if (z <= 0) {
                    continue;
                }
                double p = lo == hi ? Normal.pdf((x - mu[k]) / sigma[k]) / sigma[k]
                        : Normal.between((lo - mu[k]) / sigma[k], (hi - mu[k]) / sigma[k]);
                sum += weight[k] * p / z;
            }
            return Math.log(Math.max(sum, 1e-300));
        }

        private static double gaussian(SplittableRandom rng) {
            double u1 = rng.nextDouble();
            double u2 = rng.nextDouble();
            return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        }
    }

    /** Each trial a kernel on its choice (with a share of the prior spread over all), plus the uniform prior. */
    static final class CategoricalEstimator implements Estimator {
        private final double[] p;

        CategoricalEstimator(int choices, List<Double> xs, List<Double> ws, double priorWeight) {
            p = new double[choices];
            double total = priorWeight;
            for (int c = 0; c < choices; c++) {
                p[c] = priorWeight / choices;
            }
            for (int i = 0; i < xs.size(); i++) {
                double w = ws.get(i);
                int chosen = (int) Math.round(xs.get(i));
                for (int c = 0; c < choices; c++) {
                    p[c] += w * ((c == chosen ? 1.0 : 0.0) + priorWeight / choices) / (1.0 + priorWeight);
                }
                total += w;
            }
            for (int c = 0; c < choices; c++) {
                p[c] /= total;
            }
        }

        @Override
        public double sample(SplittableRandom rng) {
            double u = rng.nextDouble();
            double acc = 0;
            for (int c = 0; c < p.length; c++) {
                acc += p[c];
                if (u < acc) {
                    return c;
                }
            }
            return p.length - 1;
        }

        @Override
        public double logDensity(double x) {
            return Math.log(Math.max(p[(int) Math.round(x)], 1e-300));
        }
    }
}
