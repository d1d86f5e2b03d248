package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * Parameter initialisers. Every one draws from an explicit {@link Rng}, filling elements in
 * row-major order, so a seed fixes the weights exactly.
 */
public final class Init {
    private Init() {}

    /** The transformer default (GPT-2): normal with standard deviation 0.02. */
    public static final float DEFAULT_STD = 0.02f;

    public static Tensor normal(Rng rng, float std, int... shape) {
        return Tensor.randn(rng, std, shape);
    }

    public static Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    public static Tensor ones(int... shape) {
        return Tensor.ones(shape);
    }

    /**
     * PyTorch's default for Linear and Conv2d weights, {@code kaiming_uniform_(a = sqrt 5)}:
     * uniform in ±1/sqrt(fanIn). The same bound serves their biases.
     */
    public static Tensor fanInUniform(Rng rng, int fanIn, int... shape) {
        float bound = (float) (1 / Math.sqrt(Math.max(fanIn, 1)));
        return Tensor.uniform(rng, -bound, bound, shape);
    }

    /** Standard deviation for residual output projections: 0.02 / sqrt(2 * layers) (GPT-2). */
    public static float residualStd(int layers) {
        return (float) (DEFAULT_STD / Math.sqrt(2.0 * layers));
    }
}
