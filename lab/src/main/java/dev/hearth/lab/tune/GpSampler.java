package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bayesian optimisation with a Gaussian process and expected improvement, the model-based sampler
 * next to TPE. After {@code nStartupTrials} (10) random trials:
 *
 * <ol>
 *   <li>each trial becomes a point in the unit cube: numbers scaled to [0, 1] over their range (their
 *       logarithm for log parameters), categorical parameters one-hot; the objective (pruned trials
 *       included at their last value) is standardised;</li>
 *   <li>a GP with a Matérn-5/2 kernel, one length scale per input (ARD) and a noise term is fitted by
 *       maximising the log marginal likelihood, by coordinate search over a grid of length scales and
 *       noise levels;</li>
 *   <li>expected improvement over the best value is maximised over {@code candidates} (2,000) random
 *       points and as many local perturbations of the best five trials; the winner is rounded to the
 *       parameters' steps and choices.</li>
 * </ol>
 *
 * Cost grows as n³ in the number of trials, which is nothing next to a training run.
 */
public record GpSampler(long seed, int nStartupTrials, int candidates) implements Sampler {

    public GpSampler {
        if (nStartupTrials < 2 || candidates < 1) {
            throw new TuneException("gp needs n_startup_trials >= 2 and candidates >= 1");
        }
    }

    public GpSampler(long seed) {
        this(seed, 10, 2000);
    }

    private static final double[] LENGTH_SCALES = {0.03, 0.06, 0.1, 0.15, 0.25, 0.4, 0.6, 1.0, 2.0, 5.0};
    private static final double[] NOISES = {1e-6, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5};

    @Override
    public String name() {
        return "gp";
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, History history, int number) {
        SplittableRandom rng = Sampler.random(seed, number);
        List<Trial> done = history.ranked();
        if (done.size() < nStartupTrials) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Param p : space.params()) {
                out.put(p.name(), Sampler.uniform(p, rng));
            }
            return out;
        }
        Encoding enc = new Encoding(space);
        int n = done.size();
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            Trial t = done.get(i);
            x[i] = enc.encode(t.params());
            y[i] = history.loss(t.state() == TrialState.COMPLETE ? t.value() : t.lastIntermediate());
        }
        double mean = Arrays.stream(y).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(y).map(v -> (v - mean) * (v - mean)).sum() / n);
        if (sd == 0 || !Double.isFinite(sd)) {
            sd = 1;
        }
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = (y[i] - mean) / sd;
        }
        Gp gp = fit(x, ys, enc.dims());
        double best = Arrays.stream(ys).min().orElse(0);
        double[] bestX = null;
        double bestEi = Double.NEGATIVE_INFINITY;
        List<double[]> pool = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            pool.add(enc.random(rng));
        }
        int local = Math.min(5, n);
        for (int b = 0; b < local; b++) {
            for (int c = 0; c < candidates / local; c++) {
                pool.add(enc.perturb(x[b], rng)); // done is ranked best first
            }
        }
        for (double[] cand : pool) {
            double[] snapped = enc.encode(enc.decode(cand));
            double ei = gp.expectedImprovement(snapped, best);
            if (ei > bestEi) {
                bestEi = ei;
                bestX = snapped;
            }
        }
        return enc.decode(bestX);
    }

    /** Coordinate search over length scales (per input) and the noise level for the highest marginal likelihood. */
    private static Gp fit(double[][] x, double[] y, int dims) {
        double[] ell = new double[dims];
        Arrays.fill(ell, 0.4);
        double noise = 1e-3;
        Gp best = new Gp(x, y, ell.clone(), noise);
        for (int sweep = 0; sweep < 2; sweep++) {
            for (int d = 0; d < dims; d++) {
                for (double l : LENGTH_SCALES) {
                    double[] e = best.ell.clone();
                    e[d] = l;
                    Gp g = new Gp(x, y, e, best.noise);
                    if (g.logLikelihood > best.logLikelihood) {
                        best = g;
                    }
                }
            }
            for (double s : NOISES) {
                Gp g = new Gp(x, y, best.ell.clone(), s);
                if (g.logLikelihood > best.logLikelihood) {
                    best = g;
                }
            }
        }
        return best;
    }

    /** A fitted GP: unit signal variance, Matérn-5/2 ARD kernel, Gaussian noise. */
    static final class Gp {
        final double[][] x;
        final double[] ell;
        final double noise;
        final double[][] chol;
        final double[] alpha;
        final double logLikelihood;

        Gp(double[][] x, double[] y, double[] ell, double noise) {
            this.x = x;
            this.ell = ell;
            this.noise = noise;
            int n = x.length;
            double[][] k = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    k[i][j] = kernel(x[i], x[j]) + (i == j ? noise + 1e-8 : 0);
                    k[j][i] = k[i][j];
                }
            }
            chol = cholesky(k);
            if (chol == null) {
                alpha = null;
                logLikelihood = Double.NEGATIVE_INFINITY;
                return;
            }
            alpha = backSolve(chol, forwardSolve(chol, y));
            double ll = 0;
            for (int i = 0; i < n; i++) {
                ll -= 0.5 * y[i] * alpha[i] + Math.log(chol[i][i]);
            }
            logLikelihood = ll - 0.5 * n * Math.log(2 * Math.PI);
        }

        double kernel(double[] a, double[] b) {
            double r2 = 0;
            for (int d = 0; d < a.length; d++) {
                double t = (a[d] - b[d]) / ell[d];
                r2 += t * t;
            }
            double r = Math.sqrt(5 * r2);
            return (1 + r + r * r / 3) * Math.exp(-r);
        }

        double expectedImprovement(double[] at, double best) {
            int n = x.length;
            double[] ks = new double[n];
            double m = 0;
            for (int i = 0; i < n; i++) {
                ks[i] = kernel(at, x[i]);
                m += ks[i] * alpha[i];
            }
            double[] v = forwardSolve(chol, ks);
            double var = 1.0 - Arrays.stream(v).map(t -> t * t).sum();
            double s = Math.sqrt(Math.max(var, 1e-12));
            double z = (best - m) / s;
            return (best - m) * Normal.cdf(z) + s * Normal.pdf(z);
        }

        private static double[][] cholesky(double[][] a) {
            int n = a.length;
            double[][] l = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = a[i][j];
                    for (int k = 0; k < j; k++) {
                        s -= l[i][k] * l[j][k];
                    }
                    if (i == j) {
                        if (s <= 0) {
                            return null;
                        }
                        l[i][i] = Math.sqrt(s);
                    } else {
                        l[i][j] = s / l[j][j];
                    }
                }
            }
            return l;
        }

        private static double[] forwardSolve(double[][] l, double[] b) {
            int n = b.length;
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int k = 0; k < i; k++) {
                    s -= l[i][k] * out[k];
                }
                out[i] = s / l[i][i];
            }
            return out;
        }

        private static double[] backSolve(double[][] l, double[] b) {
            int n = b.length;
            double[] out = new double[n];
            for (int i = n - 1; i >= 0; i--) {
                double s = b[i];
                for (int k = i + 1; k < n; k++) {
                    s -= l[k][i] * out[k];
                }
                out[i] = s / l[i][i];
            }
            return out;
        }
    }

    /** Parameters to points of the unit cube and back. */
    static final class Encoding {
        private final SearchSpace space;
        private final int dims;

        Encoding(SearchSpace space) {
            this.space = space;
            int d = 0;
            for (Param p : space.params()) {
                d += p instanceof Param.CategoricalParam c ? c.choices().size() : 1;
            }
            this.dims = d;
        }

        int dims() {
            return dims;
        }

        double[] encode(Map<String, Object> params) {
            double[] out = new double[dims];
            int d = 0;
            for (Param p : space.params()) {
                double v = p.toInternal(params.get(p.name()));
                switch (p) {
                    case Param.CategoricalParam c -> {
                        out[d + (int) v] = 1;
                        d += c.choices().size();
                    }
                    case Param.FloatParam f -> out[d++] = (v - f.lowInternal()) / (f.highInternal() - f.lowInternal());
                    case Param.IntParam i -> out[d++] = (v - i.lowInternal()) / (i.highInternal() - i.lowInternal());
                }
            }
            return out;
        }

        Map<String, Object> decode(double[] u) {
            Map<String, Object> out = new LinkedHashMap<>();
            int d = 0;
            for (Param p : space.params()) {
                switch (p) {
                    case Param.CategoricalParam c -> {
                        int arg = 0;
                        for (int k = 1; k < c.choices().size(); k++) {
                            if (u[d + k] > u[d + arg]) {
                                arg = k;
                            }
                        }
                        out.put(p.name(), c.choices().get(arg));
                        d += c.choices().size();
                    }
                    case Param.FloatParam f -> out.put(p.name(),
                            f.toValue(f.lowInternal() + clamp(u[d++]) * (f.highInternal() - f.lowInternal())));
                    case Param.IntParam i -> out.put(p.name(),
                            i.toValue(i.lowInternal() + clamp(u[d++]) * (i.highInternal() - i.lowInternal())));
                }
            }
            return out;
        }

        double[] random(SplittableRandom rng) {
            double[] u = new double[dims];
            for (int d = 0; d < dims; d++) {
                u[d] = rng.nextDouble();
            }
            return u;
        }

        double[] perturb(double[] at, SplittableRandom rng) {
            double[] u = at.clone();
            for (int d = 0; d < dims; d++) {
                u[d] = clamp(u[d] + 0.05 * Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
                        * Math.cos(2 * Math.PI * rng.nextDouble()));
            }
            return u;
        }

        private static double clamp(double v) {
            return Math.max(0, Math.min(1, v));
        }
    }
}
