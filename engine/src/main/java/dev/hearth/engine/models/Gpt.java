package dev.hearth.engine.models;

import dev.hearth.engine.nn.Dropout;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.LayerNorm;
import dev.hearth.engine.nn.Mlp;
import dev.hearth.engine.nn.ModuleList;
import dev.hearth.engine.nn.MultiHeadAttention;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * GPT-2 (Radford et al., 2019), as nanoGPT writes it: token and learned position embeddings,
 * pre-norm blocks (LayerNorm, multi-head causal attention, GELU-tanh MLP of width 4C), a final
 * LayerNorm, and an output head tied to the token embedding.
 */
public final class Gpt extends LanguageModel {

    /**
     * @param vocabSize     tokens in the vocabulary
     * @param contextLength the longest sequence (rows of the position table)
     * @param layers        transformer blocks
     * @param heads         attention heads
     * @param dim           model width C
     * @param dropout       dropout after embeddings and in each residual branch (0 for none)
     * @param bias          biases in linear layers and LayerNorms (GPT-2 has them)
     */
    public record Config(int vocabSize, int contextLength, int layers, int heads, int dim, float dropout,
                         boolean bias) {
        public Config {
            if (vocabSize < 1 || contextLength < 1 || layers < 1 || heads < 1 || dim < 1) {
                throw new IllegalArgumentException("every size of a GPT config must be positive: " + this);
            }
            if (dim % heads != 0) {
                throw new IllegalArgumentException("model width " + dim + " is not divisible by " + heads + " heads");
            }
        }

        TransformerBlock.Config block() {
            var attn = new MultiHeadAttention.Config(dim, heads, heads, bias, 0f, layers);
            return new TransformerBlock.Config(attn, Mlp.Kind.GELU_TANH, 4 * dim, bias,
                    TransformerBlock.Norm.LAYER_NORM, bias, 1e-5f, dropout);
        }
    }

    private final Config config;
    private final Embedding wte;                 // (vocab, C)
    private final Embedding wpe;                 // (context, C)
    private final Dropout drop;
    private final ModuleList<TransformerBlock> h;
    private final LayerNorm lnF;

    public Gpt(Config c, Rng rng) {
        this(c, rng, SuppliedWeights.NONE);
    }

    /**
     * A GPT whose layers take the weights {@code supplied} holds (by parameter name,
     * "h.0.attn.q_proj.weight") as they are, never allocating or initialising them; the rest is
     * initialised from {@code rng}. How a model folder is loaded without a second copy of its weights.
     */
    public Gpt(Config c, Rng rng, SuppliedWeights supplied) {
        this.config = c;
        this.wte = child("wte", Embedding.of(c.vocabSize(), c.dim(), rng, supplied.below("wte")));
        this.wpe = child("wpe", Embedding.of(c.contextLength(), c.dim(), rng, supplied.below("wpe")));
        this.drop = child("drop", new Dropout(c.dropout(), rng.fork()));
        this.h = child("h", new ModuleList<>());
        SuppliedWeights inBlocks = supplied.below("h");
        for (int i = 0; i < c.layers(); i++) {
            h.add(new TransformerBlock(c.block(), rng, inBlocks.below(Integer.toString(i))));
        }
        this.lnF = child("ln_f", LayerNorm.of(c.dim(), c.bias(), 1e-5f, supplied.below("ln_f")));
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
        return wte.forward(ids, batch, time);                                         // (B, T, C)
    }

    @Override
    protected Tensor withPositions(Tensor tokens, int[] positions) {
        int batch = tokens.dim(0);
        int time = tokens.dim(1);
        Tensor pos = wpe.forward(positions, positions.length == time ? new int[] {1, time} : new int[] {batch, time});
        return drop.forward(tokens.add(pos));                                         // (B, T, C)
    }

    @Override
    protected Tensor finalNorm(Tensor x) {
        return lnF.forward(x);
    }

    @Override
    protected Tensor head(Tensor x) {
        return wte.project(x);                                                          // tied head: (B, T, vocab)
    }

    @Override
    protected List<TransformerBlock> blocks() {
        return h.asList();
    }
}
