package dev.hearth.guard.dp;

/**
 * A run of {@code steps} releases of the Poisson-subsampled Gaussian mechanism, the privacy cost of DP-SGD:
 * each step includes every example independently with probability {@code sampleRate}, clips each included
 * example's contribution to norm C and adds Gaussian noise of standard deviation {@code noiseMultiplier * C}
 * to the sum. A training run is one such phase, or several if the batch size or noise changed on the way.
 *
 * @param sampleRate      q, the probability that one example is in one step's batch: {@code 0 < q <= 1}
 *                        (1 means no subsampling: every step sees every example)
 * @param noiseMultiplier sigma, the noise's standard deviation over the clipping norm: {@code > 0}
 * @param steps           how many steps: {@code >= 1}
 */
public record SampledGaussian(double sampleRate, double noiseMultiplier, long steps) {

    public SampledGaussian {
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new DpException("sample rate must be in (0, 1], got " + sampleRate
                    + ": it is the batch size over the number of training examples");
        }
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw new DpException("noise multiplier must be a finite number > 0, got " + noiseMultiplier
                    + ": it is the noise's standard deviation over the clipping norm");
        }
        if (steps < 1) {
            throw new DpException("steps must be at least 1, got " + steps);
        }
    }
}
