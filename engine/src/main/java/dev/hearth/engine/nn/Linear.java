package dev.hearth.engine.nn;

import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/** {@code y = x W^T + b}, as PyTorch's Linear. */
public final class Linear extends Layer {
    private final Tensor weight; // (out, in)
    private final Tensor bias;   // (out) or null

    /** A layer over the given weight (out, in) and bias (out) or null. */
    public Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))) {
            throw ShapeException.of("Linear", weight.shape(), bias == null ? weight.shape() : bias.shape(),
                    "weight must be (out, in) and bias (out,)");
        }
        this.weight = param("weight", weight);
        this.bias = bias == null ? null : param("bias", bias);
    }

    /** Weight normal(0, std), bias zero. */
    public Linear(int in, int out, boolean bias, float std, Rng rng) {
        this(Init.normal(rng, std, out, in), bias ? Init.zeros(out) : null);
    }

    /** Weight normal(0, 0.02), bias zero: the transformer default. */
    public Linear(int in, int out, boolean bias, Rng rng) {
        this(in, out, bias, Init.DEFAULT_STD, rng);
    }

    /** PyTorch's default initialisation: weight and bias uniform in ±1/sqrt(in). */
    public static Linear withFanInInit(int in, int out, boolean bias, Rng rng) {
        Tensor w = Init.fanInUniform(rng, in, out, in);
        return new Linear(w, bias ? Init.fanInUniform(rng, in, out) : null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return MatMul.linear(x, weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
