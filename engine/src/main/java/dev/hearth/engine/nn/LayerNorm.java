package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Normalization;
import dev.hearth.engine.tensor.Tensor;

/** Layer normalisation over the last dimension with learned scale (ones) and shift (zeros). */
public final class LayerNorm extends Layer {
    private final Tensor weight; // (dim)
    private final Tensor bias;   // (dim) or null
    private final float eps;

    public LayerNorm(int dim, boolean bias, float eps) {
        this.weight = param("weight", Init.ones(dim));
        this.bias = bias ? param("bias", Init.zeros(dim)) : null;
        this.eps = eps;
    }

    public LayerNorm(int dim) {
        this(dim, true, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.layerNorm(x, weight, bias, eps);
    }
}
