package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Normalization;
import dev.hearth.engine.tensor.Tensor;

/** Root-mean-square normalisation over the last dimension with a learned scale (ones), as in Llama. */
public final class RmsNorm extends Layer implements RowNorm {
    private final Tensor weight; // (dim)
    private final float eps;

    public RmsNorm(int dim, float eps) {
        this(Init.ones(dim), eps);
    }

    private RmsNorm(Tensor weight, float eps) {
        this.weight = param("weight", weight);
        this.eps = eps;
    }

    /** Scale ones, unless {@code supplied} holds "weight" (dim): then that is the scale, as it is. */
    public static RmsNorm of(int dim, float eps, SuppliedWeights supplied) {
        return new RmsNorm(SuppliedFloats.take(supplied, "weight", () -> Init.ones(dim), dim), eps);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.rmsNorm(x, weight, eps);
    }

    @Override
    public void forwardRows(int rows, float[] x, int xo, float[] y, int yo) {
        Normalization.normalizeRows(0, rows, weight.dim(0), x, xo, weight.contiguous().toFloatArray(), null, eps,
                false, y, yo, null, null);
    }
}
