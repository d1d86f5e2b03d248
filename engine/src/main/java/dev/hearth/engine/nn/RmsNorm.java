package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Normalization;
import dev.hearth.engine.tensor.Tensor;

/** Root-mean-square normalisation over the last dimension with a learned scale (ones), as in Llama. */
public final class RmsNorm extends Layer {
    private final Tensor weight; // (dim)
    private final float eps;

    public RmsNorm(int dim, float eps) {
        this.weight = param("weight", Init.ones(dim));
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.rmsNorm(x, weight, eps);
    }
}
