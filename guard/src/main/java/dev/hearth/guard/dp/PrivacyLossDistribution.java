package dev.hearth.guard.dp;

import java.util.Arrays;
import java.util.List;

/**
 * A discrete privacy loss distribution (PLD): the distribution of the privacy loss
 * {@code L = log(p(x)/q(x))} for x drawn from P, where P and Q are a mechanism's output distributions on two
 * neighbouring datasets. Its mass sits on the grid {@code L = i * h} for {@code i = offset .. offset+n-1},
 * plus a mass at {@code +infinity} (outcomes that P can give and Q cannot, or that were pushed past the grid).
 *
 * <p>The mechanism is (epsilon, delta)-DP for this ordered pair exactly when
 * {@code delta >= delta(epsilon) = mass(+inf) + sum_i mass_i * (1 - exp(epsilon - L_i))_+} (the hockey-stick
 * divergence). Composing mechanisms adds their losses, so the PLD of a composition is the convolution of their
 * PLDs, which {@link #compose} computes with one FFT per distinct step, a pointwise power and one inverse FFT
 * (Koskela, Jalko and Honkela 2020; Google's dp_accounting does the same).
 *
 * <p>Every approximation made here errs on the side of a larger delta, so the epsilon reported is an upper
 * bound (up to floating-point rounding, well below 1e-10 in delta): each step's PLD is built by
 * "connect the dots" (Doroshenko, Ghazi, Kamath, Kumar and Manurangsi 2022, see
 * {@link SubsampledGaussianLoss}), and the tails that the composed grid cannot hold are bounded with a
 * Chernoff bound whose value is added to delta ({@link #tailBound()}).
 */
public final class PrivacyLossDistribution {

    /** The most grid points a composed distribution may have (2^21: 64 MiB of working arrays). */
    static final int MAX_POINTS = 1 << 21;

    private final double h;
    private final long offset;
    private final double[] mass;
    private final double infinityMass;
    private final double tailBound;
    private double[] logMass; // cached for the Chernoff bounds

    PrivacyLossDistribution(double h, long offset, double[] mass, double infinityMass, double tailBound) {
        this.h = h;
        this.offset = offset;
        this.mass = mass;
        this.infinityMass = infinityMass;
        this.tailBound = tailBound;
    }

    /** The grid spacing of the loss values. */
    public double discretization() {
        return h;
    }

    /** The mass at loss +infinity. */
    public double infinityMass() {
        return infinityMass;
    }

    /** An upper bound on the mass lost off the ends of the grid when composing, added to every delta. */
    public double tailBound() {
        return tailBound;
    }

    /** How many grid points carry mass (including zeros between the ends). */
    public int size() {
        return mass.length;
    }

    /** The loss value of grid point k. */
    double loss(int k) {
        return (offset + k) * h;
    }

    /** The mass at grid point k. */
    double mass(int k) {
        return mass[k];
    }

    /** The total finite mass (1 minus the mass at infinity, for a distribution built from a mechanism). */
    double finiteMass() {
        double s = 0;
        for (double m : mass) {
            s += m;
        }
        return s;
    }

    /**
     * The smallest delta for which this pair is (epsilon, delta)-DP:
     * {@code mass(+inf) + tail bound + sum over L_i > epsilon of mass_i (1 - exp(epsilon - L_i))}.
     */
    public double delta(double epsilon) {
        double sum = 0;
        for (int k = mass.length - 1; k >= 0; k--) {
            double l = loss(k);
            if (l <= epsilon) {
                break;
            }
            sum += mass[k] * -Math.expm1(epsilon - l);
        }
        return Math.min(1.0, infinityMass + tailBound + sum);
    }

    /**
     * The smallest epsilon >= 0 with {@code delta(epsilon) <= delta}; {@code +Infinity} when the mass at
     * infinity alone exceeds delta. Between grid points delta is linear in {@code exp(epsilon)}, so the answer
     * is exact for this distribution, not a search.
     */
    public double epsilon(double delta) {
        PrivacyAccountant.checkDelta(delta);
        double c = infinityMass + tailBound;
        if (c >= delta) {
            return Double.POSITIVE_INFINITY;
        }
        // Walk down from the largest loss. Before point k is added, s1 = sum(mass_j) and
        // s2 = sum(mass_j exp(L_k - L_j)) over the points above it, so that between L_k and the next point up
        // delta(eps) = c + s1 - exp(eps - L_k) s2. (s2 is kept relative to L_k so that nothing overflows.)
        double s1 = 0;
        double s2 = 0;
        double decay = Math.exp(-h);
        int k = mass.length - 1;
        for (; k >= 0 && loss(k) > 0; k--) {
            if (c + s1 - s2 > delta) {
                return loss(k) + Math.log((c + s1 - delta) / s2);
            }
            s1 += mass[k];
            s2 = (s2 + mass[k]) * decay;
        }
        double reference = loss(k); // in (-h, 0], or just below the grid if every loss is > 0; s2 is relative to it
        if (c + s1 - s2 * Math.exp(-reference) <= delta) {
            return 0.0;
        }
        return reference + Math.log((c + s1 - delta) / s2);
    }

    /**
     * The PLD of running each of {@code steps.get(k)} {@code counts[k]} times: the convolution power, by FFT.
     * All must share one grid spacing. The composed grid covers the losses outside of which a Chernoff bound
     * leaves at most {@code tailTarget} mass on each side; that bound, as achieved, becomes the result's
     * {@link #tailBound()}.
     */
    static PrivacyLossDistribution compose(List<PrivacyLossDistribution> steps, long[] counts, double tailTarget) {
        return compose(steps, counts, composedRange(steps, counts, tailTarget));
    }

    /** The same, on the composed grid range {lo, hi, bound} from {@link #composedRange}. */
    static PrivacyLossDistribution compose(List<PrivacyLossDistribution> steps, long[] counts, double[] range) {
        double h = steps.getFirst().h;
        double logKeep = 0; // log of the probability that no step lands at +infinity
        for (int k = 0; k < steps.size(); k++) {
            if (steps.get(k).h != h) {
                throw new IllegalArgumentException("distributions on different grids cannot be composed");
            }
            logKeep += counts[k] * Math.log1p(-Math.min(1.0, steps.get(k).infinityMass));
        }
        double composedInfinity = -Math.expm1(logKeep);
        for (PrivacyLossDistribution s : steps) {
            if (!(s.finiteMass() > 0)) {
                return new PrivacyLossDistribution(h, 0, new double[0], 1.0, 0.0); // every step leaks everything
            }
        }

        long lo = (long) range[0];
        long hi = (long) range[1];
        long points = hi - lo + 1;
        if (points > MAX_POINTS) {
            throw new DpException("the composed privacy loss spans " + points + " grid points, more than "
                    + MAX_POINTS + ": use a coarser discretization or the RDP accountant");
        }
        int n = Integer.highestOneBit((int) Math.max(1, points - 1)) << 1;
        n = Math.max(n, 2);
        Fft fft = new Fft(n);

        double[] accRe = new double[n];
        double[] accIm = new double[n];
        Arrays.fill(accRe, 1.0);
        double[] re = new double[n];
        double[] im = new double[n];
        long shift = 0; // the true index of buffer position 0 of the composed distribution, modulo n
        for (int k = 0; k < steps.size(); k++) {
            PrivacyLossDistribution s = steps.get(k);
            Arrays.fill(re, 0.0);
            Arrays.fill(im, 0.0);
            for (int i = 0; i < s.mass.length; i++) {
                re[i % n] += s.mass[i];
            }
            fft.forward(re, im);
            long count = counts[k];
            for (int i = 0; i < n; i++) {
                double r = Math.hypot(re[i], im[i]);
                if (r == 0) {
                    accRe[i] = 0;
                    accIm[i] = 0;
                    continue;
                }
                double mag = Math.exp(count * Math.log(r));
                double phase = count * Math.atan2(im[i], re[i]);
                double pr = mag * Math.cos(phase);
                double pi = mag * Math.sin(phase);
                double ar = accRe[i];
                accRe[i] = ar * pr - accIm[i] * pi;
                accIm[i] = ar * pi + accIm[i] * pr;
            }
            shift += count * s.offset;
        }
        fft.inverse(accRe, accIm);

        double[] composed = new double[(int) points];
        for (int j = 0; j < points; j++) {
            int pos = (int) Math.floorMod(lo + j - shift, (long) n);
            composed[j] = Math.max(0.0, accRe[pos]); // rounding leaves tiny negatives where the mass is ~0
        }
        return new PrivacyLossDistribution(h, lo, composed, composedInfinity, range[2]);
    }

    /**
     * The grid indices {lo, hi} of the composition outside of which Chernoff bounds
     * {@code P(S >= u) <= exp(sum n_k log M_k(lambda) - lambda u)} and
     * {@code P(S <= u) <= exp(sum n_k log M_k(-lambda) + lambda u)}, tried over a range of lambda, leave at most
     * {@code tailTarget} mass on each side, and the total mass bound outside, {lo, hi, bound}.
     */
    static double[] composedRange(List<PrivacyLossDistribution> steps, long[] counts, double tailTarget) {
        double h = steps.getFirst().h;
        for (PrivacyLossDistribution s : steps) {
            if (!(s.finiteMass() > 0)) {
                return new double[] {0, 0, 0}; // all mass at infinity: nothing to place on a grid
            }
        }
        double[] upper = tailEnd(steps, counts, tailTarget, +1);
        double[] lower = tailEnd(steps, counts, tailTarget, -1);
        return new double[] {Math.floor(lower[0] / h), Math.ceil(upper[0] / h), upper[1] + lower[1]};
    }

    /**
     * For side +1: the smallest u (over the lambdas tried) with Chernoff bound P(S >= u) <= target, and the bound
     * there; for side -1 the largest u with P(S <= u) <= target. Returns {u, bound}.
     */
    private static double[] tailEnd(List<PrivacyLossDistribution> steps, long[] counts, double target, int side) {
        double sd = 0;
        double mean = 0;
        for (int k = 0; k < steps.size(); k++) {
            double[] m = steps.get(k).moments();
            mean += counts[k] * m[0];
            sd += counts[k] * m[1];
        }
        sd = Math.sqrt(Math.max(sd, 1e-300));
        double logTarget = Math.log(target);
        double best = side > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        for (int j = -12; j <= 40; j++) {
            double lambda = Math.pow(2, j / 2.0) / sd;
            double logM = 0;
            for (int k = 0; k < steps.size(); k++) {
                logM += counts[k] * steps.get(k).logMgf(side * lambda);
            }
            double u = side * (logM - logTarget) / lambda;
            if (Double.isFinite(u) && (side > 0 ? u < best : u > best)) {
                best = u;
            }
        }
        if (Double.isInfinite(best)) {
            throw new IllegalStateException("no Chernoff bound for the composed privacy loss (mean " + mean
                    + ", sd " + sd + ")");
        }
        // The grid is aligned outward from u, which only lowers the mass beyond it.
        return new double[] {best, target};
    }

    /** {mean, variance} of the finite part, normalised. */
    private double[] moments() {
        double total = 0;
        double first = 0;
        for (int k = 0; k < mass.length; k++) {
            total += mass[k];
            first += mass[k] * loss(k);
        }
        double mean = first / total;
        double second = 0;
        for (int k = 0; k < mass.length; k++) {
            double d = loss(k) - mean;
            second += mass[k] * d * d;
        }
        return new double[] {mean, second / total};
    }

    /** log sum_i mass_i exp(t L_i) over the finite part. */
    private double logMgf(double t) {
        double[] logMass = logMass();
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < mass.length; k++) {
            max = Math.max(max, logMass[k] + t * loss(k));
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int k = 0; k < mass.length; k++) {
            s += Math.exp(logMass[k] + t * loss(k) - max);
        }
        return max + Math.log(s);
    }

    private double[] logMass() {
        double[] lm = logMass;
        if (lm == null) {
            lm = new double[mass.length];
            for (int k = 0; k < mass.length; k++) {
                lm[k] = Math.log(mass[k]); // -Infinity for an empty point
            }
            logMass = lm;
        }
        return lm;
    }
}
