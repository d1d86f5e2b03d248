package dev.hearth.engine.models;

import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Init;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Mlp;
import dev.hearth.engine.nn.ModuleList;
import dev.hearth.engine.nn.MultiHeadAttention;
import dev.hearth.engine.nn.RmsNorm;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * Llama (Touvron et al., 2023): token embedding, pre-norm blocks (RMSNorm, grouped-query
 * causal attention with rotary positions, SwiGLU MLP), a final RMSNorm and an output head,
 * tied to the embedding or not. With biases on the query, key and value projections it is
 * Qwen2; with one key/value head per query head it is plain multi-head attention.
 */
public final class Llama extends LanguageModel {

    /**
     * @param vocabSize      tokens in the vocabulary
     * @param contextLength  the longest sequence (KV cache size)
     * @param layers         transformer blocks
     * @param heads          query heads
     * @param kvHeads        key/value heads (divides heads)
     * @param dim            model width C
     * @param hidden         SwiGLU width
     * @param ropeTheta      rotary embedding base (10000 for Llama 2, 500000 for Llama 3)
     * @param normEps        RMSNorm epsilon
     * @param tiedEmbeddings whether the output head reuses the token embedding
     * @param qkvBias        biases on the query, key and value projections (Qwen2)
     * @param outputBias     a bias on the attention output projection (Llama with attention_bias)
     * @param dropout        residual dropout for training (0 for none)
     * @param headDim        width of one attention head: dim / heads, unless heads were pruned away
     */
    public record Config(int vocabSize, int contextLength, int layers, int heads, int kvHeads, int dim, int hidden,
                         float ropeTheta, float normEps, boolean tiedEmbeddings, boolean qkvBias, boolean outputBias,
                         float dropout, int headDim) {
        public Config {
            if (vocabSize < 1 || contextLength < 1 || layers < 1 || heads < 1 || kvHeads < 1 || dim < 1 || hidden < 1
                    || headDim < 1) {
                throw new IllegalArgumentException("every size of a Llama config must be positive: " + this);
            }
            if (heads % kvHeads != 0 || headDim % 2 != 0) {
                throw new IllegalArgumentException(heads + " heads of width " + headDim + " and " + kvHeads
                        + " key/value heads do not fit: the head size must be even (rotary positions pair its"
                        + " features), and key/value heads must divide heads");
            }
        }

        /** Heads that split the width evenly: head size dim / heads. */
        public Config(int vocabSize, int contextLength, int layers, int heads, int kvHeads, int dim, int hidden,
                      float ropeTheta, float normEps, boolean tiedEmbeddings, boolean qkvBias, boolean outputBias,
                      float dropout) {
            this(vocabSize, contextLength, layers, heads, kvHeads, dim, hidden, ropeTheta, normEps, tiedEmbeddings,
                    qkvBias, outputBias, dropout, evenHeadDim(dim, heads, kvHeads));
        }

        private static int evenHeadDim(int dim, int heads, int kvHeads) {
            if (heads < 1 || dim % heads != 0 || kvHeads < 1 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("width " + dim + ", " + heads + " heads and " + kvHeads
                        + " key/value heads do not fit: heads must divide the width into an even head size, and"
                        + " key/value heads must divide heads");
            }
            return dim / heads;
        }

        /** The same config with other head counts and feed-forward width (what structured pruning leaves). */
        public Config withShape(int heads, int kvHeads, int hidden) {
            return new Config(vocabSize, contextLength, layers, heads, kvHeads, dim, hidden, ropeTheta, normEps,
                    tiedEmbeddings, qkvBias, outputBias, dropout, headDim);
        }

        TransformerBlock.Config block() {
            var attn = new MultiHeadAttention.Config(dim, heads, kvHeads, headDim, qkvBias, outputBias, ropeTheta,
                    layers);
            return new TransformerBlock.Config(attn, Mlp.Kind.SWIGLU, hidden, false, TransformerBlock.Norm.RMS_NORM,
                    false, normEps, dropout);
        }
    }

    private final Config config;
    private final Embedding embedTokens;                // (vocab, C)
    private final ModuleList<TransformerBlock> layers;
    private final RmsNorm norm;
    private final Linear lmHead;                        // (vocab, C), null when tied

    public Llama(Config c, Rng rng) {
        this(c, rng, SuppliedWeights.NONE);
    }

    /**
     * A Llama whose layers take the weights {@code supplied} holds (by parameter name,
     * "layers.0.attn.q_proj.weight"): quantized matrices are built over, float tensors become the
     * parameters as they are; neither is allocated or initialised here. The rest is initialised from
     * {@code rng}. How a model folder is loaded without a second copy of its weights.
     */
    public Llama(Config c, Rng rng, SuppliedWeights supplied) {
        this.config = c;
        this.embedTokens = child("embed_tokens", Embedding.of(c.vocabSize(), c.dim(), rng,
                supplied.below("embed_tokens")));
        this.layers = child("layers", new ModuleList<>());
        SuppliedWeights inLayers = supplied.below("layers");
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new TransformerBlock(c.block(), rng, inLayers.below(Integer.toString(i))));
        }
        this.norm = child("norm", RmsNorm.of(c.dim(), c.normEps(), supplied.below("norm")));
        this.lmHead = c.tiedEmbeddings() ? null : child("lm_head", Linear.of(c.dim(), c.vocabSize(), false,
                Init.DEFAULT_STD, rng, supplied.below("lm_head")));
    }

    public Config config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    protected Tensor lookUpTokens(int[] ids, int batch, int time) {
        return embedTokens.forward(ids, batch, time);                                 // (B, T, C)
    }

    @Override
    protected Tensor withPositions(Tensor tokens, int[] positions) {
        return tokens;                                                                // RoPE in attention
    }

    @Override
    protected Tensor finalNorm(Tensor x) {
        return norm.forward(x);
    }

    @Override
    protected Tensor head(Tensor x) {
        return lmHead != null ? lmHead.forward(x) : embedTokens.project(x);                // (B, T, vocab)
    }

    @Override
    protected List<TransformerBlock> blocks() {
        return layers.asList();
    }
}
