package dev.hearth.engine.nn;

import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.kernels.VectorMath.Binary;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * A pre-norm transformer block: {@code x = x + drop(attn(norm1(x)))},
 * {@code x = x + drop(mlp(norm2(x)))}, with LayerNorm (GPT-2) or RMSNorm (Llama).
 */
public final class TransformerBlock extends Layer {

    public enum Norm { LAYER_NORM, RMS_NORM }

    /**
     * @param attention the attention layer's config
     * @param mlp       feed-forward form
     * @param hidden    feed-forward width (4C for GPT-2)
     * @param mlpBias   whether the feed-forward projections have biases
     * @param norm      normalisation kind
     * @param normBias  whether LayerNorm has a shift (RMSNorm never has)
     * @param normEps   normalisation epsilon
     * @param dropout   residual dropout probability (0 for none)
     */
    public record Config(MultiHeadAttention.Config attention, Mlp.Kind mlp, int hidden, boolean mlpBias, Norm norm,
                         boolean normBias, float normEps, float dropout) {

        /** Biases in the feed-forward block and the norms exactly when the attention's projections have them. */
        public Config(MultiHeadAttention.Config attention, Mlp.Kind mlp, int hidden, Norm norm, float normEps,
                      float dropout) {
            this(attention, mlp, hidden, attention.qkvBias(), norm, attention.qkvBias(), normEps, dropout);
        }
    }

    private final Layer norm1;
    private final MultiHeadAttention attn;
    private final Layer norm2;
    private final Mlp mlp;
    private final Dropout drop;

    public TransformerBlock(Config c, Rng rng) {
        this(c, rng, SuppliedWeights.NONE);
    }

    /** As {@link #TransformerBlock(Config, Rng)}, the norms and projections taking the weights {@code supplied} has. */
    public TransformerBlock(Config c, Rng rng, SuppliedWeights supplied) {
        int dim = c.attention().dim();
        this.norm1 = child("norm1", norm(c, dim, supplied.below("norm1")));
        this.attn = child("attn", new MultiHeadAttention(c.attention(), rng, supplied.below("attn")));
        this.norm2 = child("norm2", norm(c, dim, supplied.below("norm2")));
        this.mlp = child("mlp", new Mlp(c.mlp(), dim, c.hidden(), c.mlpBias(), c.attention().layers(), rng,
                supplied.below("mlp")));
        this.drop = child("drop", new Dropout(c.dropout(), rng.fork()));
    }

    private static Layer norm(Config c, int dim, SuppliedWeights supplied) {
        return c.norm() == Norm.RMS_NORM ? RmsNorm.of(dim, c.normEps(), supplied)
                : LayerNorm.of(dim, c.normBias(), c.normEps(), supplied);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0, null, null);
    }

    /**
     * x (B, T, C) at time steps {@code start..}, with a cache for generation and the number of
     * leading padding steps of each sequence (or null); see {@link MultiHeadAttention#forward}.
     */
    public Tensor forward(Tensor x, int start, KvCache cache, int[] padding) {
        Tensor h = x.add(drop.forward(attn.forward(norm1.forward(x), start, cache, padding)));
        return h.add(drop.forward(mlp.forward(norm2.forward(h))));
    }

    /** One new token of each of n sequences, x (n, 1, C), each with its own cache; see {@link MultiHeadAttention#forwardEach}. */
    public Tensor forwardEach(Tensor x, int[] positions, java.util.List<KvCache> caches) {
        Tensor h = x.add(drop.forward(attn.forwardEach(norm1.forward(x), positions, caches)));
        return h.add(drop.forward(mlp.forward(norm2.forward(h))));
    }

    /**
     * {@link #forwardEach} on raw rows, with the same bits: x holds the n sequences' rows (n, dim)
     * and is updated in place; the norms, projections and activations work in {@code buffers}
     * (reused by every block of the step) where forwardEach makes a tensor per operation. Only
     * where {@link #runsOnRows} says so, with no gradient wanted.
     */
    public void forwardEachRows(int n, float[] x, int[] positions, java.util.List<KvCache> caches,
                                StepBuffers buffers) {
        int size = n * attn.config().dim();
        float[] normed = buffers.get(StepBuffers.NORMED, size);
        float[] y = buffers.get(StepBuffers.OUTPUT, size);
        ((RowNorm) norm1).forwardRows(n, x, 0, normed, 0);
        attn.forwardEachRows(n, normed, 0, positions, caches, y, 0, buffers);
        VectorMath.binary(Binary.ADD, size, x, 0, 1, y, 0, 1, x, 0);
        ((RowNorm) norm2).forwardRows(n, x, 0, normed, 0);
        mlp.forwardRows(n, normed, 0, y, 0, buffers);
        VectorMath.binary(Binary.ADD, size, x, 0, 1, y, 0, 1, x, 0);
    }

    /** Whether {@link #forwardEachRows} may stand in for {@link #forwardEach}: dropout is off and nothing observes. */
    public boolean runsOnRows() {
        return drop.isIdentity() && norm1 instanceof RowNorm && norm2 instanceof RowNorm && attn.runsOnRows()
                && mlp.runsOnRows();
    }

    /** The attention probabilities (batch, heads, time, time) this block computes for its input x (B, T, C). */
    public Tensor attentionWeights(Tensor x) {
        return attn.attentionWeights(norm1.forward(x));
    }

    public MultiHeadAttention attention() {
        return attn;
    }
}
