package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.tensor.Tensor;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * DP-SGD (Abadi et al. 2016) around any optimizer: each step's batch is a Poisson sample, each example's gradient
 * is clipped to norm C ({@link PerExampleClipping}), the sum gets Gaussian noise of standard deviation sigma C in
 * every coordinate and is divided by the expected batch size {@code q * examples}; the optimizer then steps as
 * usual. The steps taken are counted so the privacy spent so far can be reported at any time.
 *
 * <p>The batches and the noise come from a generator seeded by {@link SecureRandom}, not from the run's seed:
 * noise that could be regenerated from a recorded seed would protect nothing, and neither would batches whose
 * membership could be. A private run is therefore not bit-reproducible.
 *
 * <pre>{@code
 * DpSgd dp = new DpSgd(DpSgd.Plan.solve(3.0, 1e-5, 1.0, 60_000, 256, 14_063, new PldAccountant()), model.parameters());
 * for (long step = 0; step < dp.plan().steps(); step++) {
 *     int[] batch = dp.sampleBatch();
 *     if (batch.length > 0) {
 *         Tensor logits = model.forward(images(batch));
 *         dp.backward(Losses.crossEntropy(logits, labels(batch)), logits, batch.length);
 *     }
 *     dp.addNoise();
 *     optimizer.step();
 *     optimizer.zeroGrad();
 * }
 * }</pre>
 */
public final class DpSgd {

    /**
     * The settings of a private run.
     *
     * @param noiseMultiplier sigma: the noise's standard deviation over the clipping norm
     * @param clipNorm        C: the most one example's gradient may weigh
     * @param examples        the number of training examples (the unit of privacy)
     * @param sampleRate      q: the probability that an example joins a step's batch
     * @param steps           the planned number of steps
     * @param delta           the delta the guarantee is stated at
     * @param targetEpsilon   the epsilon sigma was solved for, or NaN when sigma was given
     */
    public record Plan(double noiseMultiplier, double clipNorm, long examples, double sampleRate, long steps,
                       double delta, double targetEpsilon) {

        public Plan {
            new SampledGaussian(sampleRate, noiseMultiplier, steps); // validates q, sigma, steps
            PrivacyAccountant.checkDelta(delta);
            if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
                throw new DpException("the clipping norm must be a number > 0, got " + clipNorm);
            }
            if (examples < 1) {
                throw new DpException("a private run needs at least one training example, got " + examples);
            }
        }

        /**
         * The plan that meets {@code (targetEpsilon, delta)} over {@code steps} steps with batches of
         * {@code expectedBatch} examples on average out of {@code examples}: sigma is solved for with the
         * accountant.
         */
        public static Plan solve(double targetEpsilon, double delta, double clipNorm, long examples,
                double expectedBatch, long steps, PrivacyAccountant accountant) {
            double q = sampleRate(expectedBatch, examples);
            double sigma = NoiseCalibration.solve(accountant, targetEpsilon, delta, q, steps).noiseMultiplier();
            return new Plan(sigma, clipNorm, examples, q, steps, delta, targetEpsilon);
        }

        /** A plan with a given noise multiplier. */
        public static Plan withNoise(double noiseMultiplier, double delta, double clipNorm, long examples,
                double expectedBatch, long steps) {
            return new Plan(noiseMultiplier, clipNorm, examples, sampleRate(expectedBatch, examples), steps, delta,
                    Double.NaN);
        }

        private static double sampleRate(double expectedBatch, long examples) {
            if (!(expectedBatch >= 1) || expectedBatch > examples) {
                throw new DpException("the expected batch size must be between 1 and the number of examples ("
                        + examples + "), got " + expectedBatch);
            }
            return expectedBatch / examples;
        }

        /** The expected batch size q * examples. */
        public double expectedBatch() {
            return sampleRate * examples;
        }
    }

    private final Plan plan;
    private final List<Tensor> parameters;
    private final PerExampleClipping clipping;
    private final RandomGenerator random;
    private long stepsTaken;
    private long examplesSeen;
    private long examplesClipped;

    /** A private run of {@code plan} over these parameters (those requiring gradients are trained). */
    public DpSgd(Plan plan, Map<String, Tensor> parameters) {
        this(plan, parameters, 0);
    }

    /** The same, resumed after {@code stepsTaken} steps (which count towards the privacy spent). */
    public DpSgd(Plan plan, Map<String, Tensor> parameters, long stepsTaken) {
        if (stepsTaken < 0) {
            throw new DpException("steps already taken cannot be negative, got " + stepsTaken);
        }
        this.stepsTaken = stepsTaken;
        this.plan = plan;
        this.parameters = parameters.values().stream().filter(Tensor::requiresGrad).toList();
        this.clipping = new PerExampleClipping(parameters, plan.clipNorm());
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        this.random = RandomGeneratorFactory.of("L64X256MixRandom").create(seed);
    }

    public Plan plan() {
        return plan;
    }

    /** The examples of the next step's batch: a fresh Poisson sample of {@code [0, examples)}. */
    public int[] sampleBatch() {
        return PoissonSampling.sample(plan.examples(), plan.sampleRate(), random);
    }

    /**
     * Back-propagates a batch's loss (the mean of per-example losses computed from {@code output}) and adds each
     * example's clipped gradient to the parameters' {@code grad}. Call once per step, or once per micro-batch when
     * a step's sample is split.
     */
    public PerExampleClipping.Result backward(Tensor loss, Tensor output, int examples) {
        PerExampleClipping.Result r = clipping.backward(loss, output, examples);
        examplesSeen += examples;
        examplesClipped += r.clipped();
        return r;
    }

    /**
     * Ends a step's gradient: adds {@code N(0, (sigma C)^2)} to every coordinate of the summed clipped gradients
     * (of an empty batch too) and divides by the expected batch size. Call once per step, before the optimizer.
     */
    public void addNoise() {
        double std = plan.noiseMultiplier() * plan.clipNorm();
        float scale = (float) (1.0 / plan.expectedBatch());
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (Tensor p : parameters) {
                float[] noisy = p.grad() == null ? new float[p.numel()] : p.grad().contiguous().toFloatArray();
                for (int k = 0; k < noisy.length; k++) {
                    noisy[k] = (float) ((noisy[k] + std * random.nextGaussian()) * scale);
                }
                p.setGrad(Tensor.of(noisy, p.shape().toArray()));
            }
        }
        stepsTaken++;
    }

    /** Steps completed so far (calls of {@link #addNoise}). */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** The share of the examples seen so far whose gradient was clipped. */
    public double clippedFraction() {
        return examplesSeen == 0 ? 0 : (double) examplesClipped / examplesSeen;
    }

    /** The (epsilon, delta) spent by the steps taken so far, by {@code accountant}; epsilon 0 before any step. */
    public PrivacySpent spent(PrivacyAccountant accountant) {
        if (stepsTaken == 0) {
            return PrivacySpent.of(0, plan.delta(), "no steps taken");
        }
        return accountant.epsilon(new SampledGaussian(plan.sampleRate(), plan.noiseMultiplier(), stepsTaken),
                plan.delta());
    }
}
