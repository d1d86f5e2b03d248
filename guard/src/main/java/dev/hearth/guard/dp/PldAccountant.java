package dev.hearth.guard.dp;

import dev.hearth.guard.dp.SubsampledGaussianLoss.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * The privacy-loss-distribution accountant: the tightest (epsilon, delta) for DP-SGD that Hearth computes, an
 * upper bound within about a thousandth of the exact value for typical training runs.
 *
 * <p>For each phase it builds the PLD of one step of the Poisson-subsampled Gaussian mechanism by connect the
 * dots ({@link SubsampledGaussianLoss}), composes all steps of all phases by FFT
 * ({@link PrivacyLossDistribution#compose}) and reads delta off the result. Add-or-remove-one adjacency has two
 * directions (the example in the first dataset or in the second), which compose separately; the guarantee is
 * the worse of the two. The grid spacing is chosen from the spread of the composed loss unless given.
 */
public final class PldAccountant implements PrivacyAccountant {

    /** Grid points per standard deviation of the composed privacy loss. */
    private static final double POINTS_PER_SD = 4000;
    /** Grid points per standard deviation of one step's privacy loss, at least. */
    private static final double POINTS_PER_STEP_SD = 10;
    /** Mass allowed off each end of a grid: it is added to delta, so it must be negligible beside any delta. */
    private static final double TAIL = 1e-16;

    private final double discretization;

    /** A grid chosen for each question from the spread of the privacy loss. */
    public PldAccountant() {
        this.discretization = Double.NaN;
    }

    /** A fixed grid spacing h for the privacy loss (smaller is tighter and slower). */
    public PldAccountant(double discretization) {
        if (!(discretization > 0) || Double.isInfinite(discretization)) {
            throw new DpException("the PLD grid spacing must be a number > 0, such as 1e-4; got " + discretization);
        }
        this.discretization = discretization;
    }

    @Override
    public String name() {
        return "pld";
    }

    @Override
    public PrivacySpent epsilon(List<SampledGaussian> phases, double delta) {
        PrivacyAccountant.checkDelta(delta);
        PrivacyAccountant.checkPhases(phases);
        double h = discretization(phases);
        double eps = 0;
        for (Direction d : Direction.values()) {
            eps = Math.max(eps, composed(phases, d, h).epsilon(delta));
        }
        return PrivacySpent.of(eps, delta, String.format(
                "PLD accountant: privacy loss distributions of both add and remove, composed by FFT on a grid of %.3g"
                        + " (connect-the-dots, an upper bound)", h));
    }

    /** The smallest delta for which the phases are (epsilon, delta)-DP. */
    public double delta(List<SampledGaussian> phases, double epsilon) {
        PrivacyAccountant.checkPhases(phases);
        if (Double.isNaN(epsilon)) {
            throw new DpException("epsilon must be a number");
        }
        double h = discretization(phases);
        double delta = 0;
        for (Direction d : Direction.values()) {
            delta = Math.max(delta, composed(phases, d, h).delta(epsilon));
        }
        return delta;
    }

    /** The composed PLD of the phases in one direction on grid spacing h (coarsened if it would not fit). */
    PrivacyLossDistribution composed(List<SampledGaussian> phases, Direction direction, double h) {
        long total = 0;
        for (SampledGaussian p : phases) {
            total = Math.addExact(total, p.steps());
        }
        double stepTail = TAIL / total;
        while (true) {
            List<PrivacyLossDistribution> steps = new ArrayList<>();
            long[] counts = new long[phases.size()];
            long widest = 0;
            for (int i = 0; i < phases.size(); i++) {
                SampledGaussian p = phases.get(i);
                var loss = new SubsampledGaussianLoss(p.sampleRate(), p.noiseMultiplier(), direction);
                long lo = loss.lowestIndex(h, stepTail);
                long hi = loss.highestIndex(h, stepTail);
                widest = Math.max(widest, hi - lo + 1);
                if (widest <= PrivacyLossDistribution.MAX_POINTS) {
                    steps.add(loss.discretize(h, lo, hi));
                    counts[i] = p.steps();
                }
            }
            if (widest <= PrivacyLossDistribution.MAX_POINTS) {
                double[] range = PrivacyLossDistribution.composedRange(steps, counts, TAIL);
                widest = (long) (range[1] - range[0] + 1);
                if (widest <= PrivacyLossDistribution.MAX_POINTS) {
                    return PrivacyLossDistribution.compose(steps, counts, range);
                }
            }
            if (!Double.isNaN(discretization)) {
                throw new DpException("a grid spacing of " + h + " needs " + widest + " points, more than "
                        + PrivacyLossDistribution.MAX_POINTS + ": use a coarser grid");
            }
            h *= 1.25 * widest / PrivacyLossDistribution.MAX_POINTS; // coarser grids stay upper bounds
        }
    }

    /** The grid spacing: fine enough for the composed loss and for each step, coarse enough to fit in memory. */
    double discretization(List<SampledGaussian> phases) {
        if (!Double.isNaN(discretization)) {
            return discretization;
        }
        double variance = 0;
        double mean = 0;
        double smallestStepSd = Double.POSITIVE_INFINITY;
        for (SampledGaussian p : phases) {
            double v = stepLossVariance(p.sampleRate(), p.noiseMultiplier());
            variance += p.steps() * v;
            mean += p.steps() * v / 2;
            smallestStepSd = Math.min(smallestStepSd, Math.sqrt(v));
        }
        double sd = Math.sqrt(variance);
        // At most 1: with less noise than that needs, the loss is off the grid (past MAX_LOSS) anyway.
        double h = Math.min(1.0, Math.min(sd / POINTS_PER_SD, smallestStepSd / POINTS_PER_STEP_SD));
        // The composed grid spans roughly the mean plus 20 standard deviations; keep it within half the cap.
        double span = mean + 20 * sd;
        return Math.max(h, 2 * span / PrivacyLossDistribution.MAX_POINTS);
    }

    /**
     * An estimate of the variance of one step's privacy loss: {@code log(1 + chi^2)} with the chi-squared
     * divergence {@code q^2 (exp(1/sigma^2) - 1)} of the subsampled Gaussian; exact (1/sigma^2) when q = 1 and
     * equal to chi^2 to first order when the loss is small.
     */
    static double stepLossVariance(double q, double sigma) {
        double a = 1 / (sigma * sigma);
        if (a > 700) {
            return Math.max(0, 2 * Math.log(q) + a);
        }
        return Math.log1p(q * q * Math.expm1(a));
    }
}
