package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Normalization;
import dev.hearth.engine.tensor.Tensor;

/** Layer normalisation over the last dimension with learned scale (ones) and shift (zeros). */
public final class LayerNorm extends Layer implements RowNorm {
    private final Tensor weight; // (dim)
    private final Tensor bias;   // (dim) or null
    private final float eps;

    public LayerNorm(int dim, boolean bias, float eps) {
        this(dim, bias, eps, SuppliedWeights.NONE);
    }

    public LayerNorm(int dim) {
        this(dim, true, 1e-5f);
    }

    private LayerNorm(int dim, boolean bias, float eps, SuppliedWeights supplied) {
        this.weight = param("weight", SuppliedFloats.take(supplied, "weight", () -> Init.ones(dim), dim));
        this.bias = bias ? param("bias", SuppliedFloats.take(supplied, "bias", () -> Init.zeros(dim), dim)) : null;
        this.eps = eps;
    }

    /** Scale ones and shift zeros, except the "weight" and "bias" (dim) {@code supplied} holds, taken as they are. */
    public static LayerNorm of(int dim, boolean bias, float eps, SuppliedWeights supplied) {
        return new LayerNorm(dim, bias, eps, supplied);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.layerNorm(x, weight, bias, eps);
    }

    @Override
    public void forwardRows(int rows, float[] x, int xo, float[] y, int yo) {
        float[] shift = bias == null ? null : bias.contiguous().toFloatArray();
        Normalization.normalizeRows(0, rows, weight.dim(0), x, xo, weight.contiguous().toFloatArray(), shift, eps, true,
                y, yo, null, null);
    }
}
