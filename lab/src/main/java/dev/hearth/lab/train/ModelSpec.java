package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;

/**
 * The shape of a language model to train. The vocabulary size comes from the dataset's
 * tokenizer.
 *
 * @param arch           "gpt" (GPT-2: learned positions, LayerNorm, GELU) or "llama" (RoPE, RMSNorm, SwiGLU, GQA)
 * @param layers         transformer blocks
 * @param heads          attention heads
 * @param kvHeads        key/value heads (llama; 0 = as many as heads)
 * @param dim            model width
 * @param hidden         feed-forward width (llama; 0 = 8/3 of the width rounded up to a multiple of 32)
 * @param context        longest sequence the model sees
 * @param dropout        dropout probability in training
 * @param ropeTheta      rotary embedding base (llama)
 * @param tiedEmbeddings whether the output head reuses the token embedding (always, for gpt)
 * @param bias           biases in linear layers and LayerNorms (gpt)
 */
public record ModelSpec(String arch, int layers, int heads, @JsonProperty("kv_heads") int kvHeads, int dim, int hidden,
                        int context, float dropout, @JsonProperty("rope_theta") float ropeTheta,
                        @JsonProperty("tied_embeddings") boolean tiedEmbeddings, boolean bias) {

    public ModelSpec {
        if (!"gpt".equals(arch) && !"llama".equals(arch)) {
            throw new HearthException("model.arch must be gpt or llama, got \"" + arch + "\"");
        }
        if (layers < 1 || heads < 1 || dim < 1 || context < 2 || kvHeads < 0 || hidden < 0) {
            throw new HearthException("model sizes must be positive (layers, heads, dim; context at least 2), got "
                    + this);
        }
        if (dim % heads != 0) {
            throw new HearthException("model.dim " + dim + " must be divisible by model.heads " + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new HearthException("model.dropout must be in [0, 1), got " + dropout);
        }
    }

    /** nanoGPT's CPU recipe for Tiny Shakespeare: 4 layers, 4 heads, width 128, context 64, no biases. */
    public static ModelSpec nanoGptCpu() {
        return new ModelSpec("gpt", 4, 4, 0, 128, 0, 64, 0f, 10000f, true, false);
    }

    /** A freshly initialised model of this shape over {@code vocabSize} tokens. */
    public LanguageModel build(int vocabSize, Rng rng) {
        if ("gpt".equals(arch)) {
            return new Gpt(new Gpt.Config(vocabSize, context, layers, heads, dim, dropout, bias), rng);
        }
        int kv = kvHeads == 0 ? heads : kvHeads;
        int ff = hidden > 0 ? hidden : (8 * dim / 3 + 31) / 32 * 32;
        try {
            return new Llama(new Llama.Config(vocabSize, context, layers, heads, kv, dim, ff, ropeTheta, 1e-5f,
                    tiedEmbeddings, false, false, dropout), rng);
        } catch (IllegalArgumentException e) {
            throw new HearthException("model: " + e.getMessage());
        }
    }
}
