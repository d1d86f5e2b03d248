package dev.hearth.engine.nn;

import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.kernels.VectorMath.Binary;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * The transformer feed-forward block. GELU form (GPT-2): {@code proj(gelu(fc(x)))}. SwiGLU form
 * (Llama): {@code down_proj(silu(gate_proj(x)) * up_proj(x))}. The last projection is a residual
 * projection, initialised with the smaller standard deviation.
 */
public final class Mlp extends Layer {

    public enum Kind { GELU, GELU_TANH, SWIGLU }

    private final Kind kind;
    private final Linear in;   // fc or gate_proj (dim -> hidden)
    private final Linear up;   // up_proj (dim -> hidden), SwiGLU only
    private final Linear out;  // proj or down_proj (hidden -> dim)

    public Mlp(Kind kind, int dim, int hidden, boolean bias, int layers, Rng rng) {
        this(kind, dim, hidden, bias, layers, rng, SuppliedWeights.NONE);
    }

    /** As {@link #Mlp(Kind, int, int, boolean, int, Rng)}, the projections taking the weights {@code supplied} holds. */
    public Mlp(Kind kind, int dim, int hidden, boolean bias, int layers, Rng rng, SuppliedWeights supplied) {
        this.kind = kind;
        float residual = Init.residualStd(layers);
        float std = Init.DEFAULT_STD;
        if (kind == Kind.SWIGLU) {
            this.in = child("gate_proj", Linear.of(dim, hidden, bias, std, rng, supplied.below("gate_proj")));
            this.up = child("up_proj", Linear.of(dim, hidden, bias, std, rng, supplied.below("up_proj")));
            this.out = child("down_proj", Linear.of(hidden, dim, bias, residual, rng, supplied.below("down_proj")));
        } else {
            this.in = child("fc", Linear.of(dim, hidden, bias, std, rng, supplied.below("fc")));
            this.up = null;
            this.out = child("proj", Linear.of(hidden, dim, bias, residual, rng, supplied.below("proj")));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = switch (kind) {
            case GELU -> in.forward(x).gelu();
            case GELU_TANH -> in.forward(x).geluTanh();
            case SWIGLU -> in.forward(x).silu().mul(up.forward(x));
        };
        return out.forward(h);
    }

    /**
     * {@link #forward} on raw rows, for a decode step on reused buffers, with the same bits: x's
     * rows from {@code xo}, the output's into y from {@code yo}.
     */
    void forwardRows(int rows, float[] x, int xo, float[] y, int yo, StepBuffers buffers) {
        int n = rows * in.outFeatures();
        float[] h = buffers.get(StepBuffers.HIDDEN, n);
        in.forwardRows(rows, x, xo, h, 0);
        switch (kind) {
            case GELU -> VectorMath.gelu(n, h, 0, h, 0);
            case GELU_TANH -> VectorMath.geluTanh(n, h, 0, h, 0);
            case SWIGLU -> {
                float[] u = buffers.get(StepBuffers.UP, n);
                up.forwardRows(rows, x, xo, u, 0);
                VectorMath.silu(n, h, 0, h, 0);
                VectorMath.binary(Binary.MUL, n, h, 0, 1, u, 0, 1, h, 0);
            }
        }
        out.forwardRows(rows, h, 0, y, yo);
    }

    /** Whether {@link #forwardRows} may stand in for {@link #forward}: no observer sees a projection's inputs. */
    boolean runsOnRows() {
        return !in.observed() && !out.observed() && (up == null || !up.observed());
    }
}
