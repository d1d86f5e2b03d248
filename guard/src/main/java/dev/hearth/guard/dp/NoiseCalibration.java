package dev.hearth.guard.dp;

import java.util.List;

/**
 * Finds the noise multiplier that meets a privacy target: the smallest sigma for which an accountant proves
 * {@code (epsilon, delta)} over the planned steps. Epsilon falls as sigma grows, so bisection finds it; the
 * sigma returned is the upper end of the final bracket, which was checked to meet the target.
 */
public final class NoiseCalibration {

    /** Noise beyond this trains nothing useful; a target that needs more is reported as unreachable. */
    public static final double MAX_NOISE_MULTIPLIER = 1000;
    private static final double MIN_NOISE_MULTIPLIER = 1e-3;

    private NoiseCalibration() {}

    /**
     * The outcome of a calibration.
     *
     * @param noiseMultiplier the sigma to train with
     * @param spent           what the accountant proves at that sigma (epsilon at most the target)
     * @param targetEpsilon   the epsilon asked for
     */
    public record Result(double noiseMultiplier, PrivacySpent spent, double targetEpsilon) {}

    /**
     * The smallest noise multiplier (to a relative precision of 1e-4) for which {@code accountant} proves
     * {@code (targetEpsilon, delta)} over {@code steps} steps at sample rate {@code sampleRate}.
     *
     * @throws DpException if an argument is out of range or no noise multiplier up to
     *                     {@link #MAX_NOISE_MULTIPLIER} meets the target
     */
    public static Result solve(PrivacyAccountant accountant, double targetEpsilon, double delta, double sampleRate,
            long steps) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new DpException("target epsilon must be a finite number > 0, got " + targetEpsilon
                    + ": common choices are 1 to 10");
        }
        PrivacyAccountant.checkDelta(delta);
        new SampledGaussian(sampleRate, 1, steps); // validates the sample rate and steps

        double hi = 1;
        PrivacySpent atHi = spent(accountant, sampleRate, hi, steps, delta);
        while (atHi.epsilon() > targetEpsilon) {
            if (hi >= MAX_NOISE_MULTIPLIER) {
                throw new DpException(String.format("epsilon %s at delta %s is out of reach over %,d steps at sample"
                        + " rate %s: even noise multiplier %s gives epsilon %.4g. Allow a larger epsilon or delta,"
                        + " or train for fewer steps or with smaller batches", targetEpsilon, delta, steps,
                        sampleRate, MAX_NOISE_MULTIPLIER, atHi.epsilon()));
            }
            hi = Math.min(hi * 2, MAX_NOISE_MULTIPLIER);
            atHi = spent(accountant, sampleRate, hi, steps, delta);
        }
        double lo = hi / 2;
        for (PrivacySpent atLo = spent(accountant, sampleRate, lo, steps, delta); atLo.epsilon() <= targetEpsilon;
                atLo = spent(accountant, sampleRate, lo, steps, delta)) {
            hi = lo;
            atHi = atLo;
            if (lo <= MIN_NOISE_MULTIPLIER) {
                return new Result(hi, atHi, targetEpsilon); // almost no noise meets the target
            }
            lo = hi / 2;
        }
        // Invariant: epsilon(lo) > target >= epsilon(hi).
        while (hi - lo > 1e-4 * hi) {
            double mid = 0.5 * (lo + hi);
            PrivacySpent atMid = spent(accountant, sampleRate, mid, steps, delta);
            if (atMid.epsilon() <= targetEpsilon) {
                hi = mid;
                atHi = atMid;
            } else {
                lo = mid;
            }
        }
        return new Result(hi, atHi, targetEpsilon);
    }

    private static PrivacySpent spent(PrivacyAccountant accountant, double q, double sigma, long steps,
            double delta) {
        return accountant.epsilon(List.of(new SampledGaussian(q, sigma, steps)), delta);
    }
}
