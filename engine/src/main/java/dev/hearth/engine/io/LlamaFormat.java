package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Llama, Qwen2 and Mistral in Hugging Face's layout ({@code LlamaForCausalLM} and friends): the
 * same tensors under other names, no transposes.
 *
 * <pre>
 * Hearth                          Hugging Face
 * embed_tokens.weight             model.embed_tokens.weight
 * layers.i.norm1.weight           model.layers.i.input_layernorm.weight
 * layers.i.attn.{q,k,v,o}_proj.*  model.layers.i.self_attn.{q,k,v,o}_proj.*
 * layers.i.norm2.weight           model.layers.i.post_attention_layernorm.weight
 * layers.i.mlp.{gate,up,down}_proj.weight  model.layers.i.mlp.{gate,up,down}_proj.weight
 * norm.weight                     model.norm.weight
 * lm_head.weight                  lm_head.weight (absent when tied)
 * </pre>
 *
 * RoPE uses the rotate-half pairing of Hugging Face's files, so query and key weights need no
 * permutation. Refused with a clear error: rope scaling, sliding windows shorter than the
 * context, MLP biases, an odd head size. {@code head_dim} may differ from hidden_size /
 * num_attention_heads (as in Gemma or a model whose heads were pruned): the queries are then
 * num_attention_heads x head_dim wide.
 */
final class LlamaFormat implements ModelFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean reads(String modelType) {
        return "llama".equals(modelType) || "qwen2".equals(modelType) || "mistral".equals(modelType);
    }

    @Override
    public boolean writes(LanguageModel model) {
        return model instanceof Llama;
    }

    @Override
    public LanguageModel build(ObjectNode config, ConfigReader read, SuppliedWeights supplied) {
        String type = read.text("model_type", "llama");
        int hidden = read.integer("hidden_size");
        int heads = read.integer("num_attention_heads");
        int context = read.integer("max_position_embeddings");
        JsonNode scaling = read.node("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw read.fail("rope_scaling", "is " + scaling + "; Hearth does not apply RoPE scaling yet");
        }
        boolean headDimGiven = read.node("head_dim") != null && !read.node("head_dim").isNull();
        int headDim = headDimGiven ? read.integer("head_dim") : 0;
        if (!headDimGiven && (heads < 1 || hidden % heads != 0)) {
            throw read.fail("num_attention_heads", "is " + heads + ", which does not divide hidden_size " + hidden
                    + "; give head_dim");
        }
        if (headDimGiven && (headDim < 2 || headDim % 2 != 0)) {
            throw read.fail("head_dim", "is " + headDim + "; a head size must be even (rotary positions pair features)");
        }
        if (read.bool("mlp_bias", false)) {
            throw read.fail("mlp_bias", "is true; Hearth's Llama has no MLP biases");
        }
        String act = read.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw read.fail("hidden_act", "is \"" + act + "\"; Hearth's Llama uses SwiGLU (silu)");
        }
        JsonNode window = read.node("sliding_window");
        boolean windowUsed = "qwen2".equals(type) ? read.bool("use_sliding_window", false) : true;
        if (windowUsed && window != null && !window.isNull() && window.intValue() < context) {
            throw read.fail("sliding_window", "is " + window + ", shorter than the context " + context
                    + "; Hearth attends over the whole context");
        }
        boolean attentionBias = read.bool("attention_bias", false);
        boolean qkvBias = "qwen2".equals(type) || attentionBias;
        var c = new Llama.Config(read.integer("vocab_size"), context, read.integer("num_hidden_layers"), heads,
                read.integer("num_key_value_heads", heads), hidden, read.integer("intermediate_size"),
                (float) read.number("rope_theta", 10000), (float) read.number("rms_norm_eps", 1e-6),
                read.bool("tie_word_embeddings", false), qkvBias, attentionBias && !"qwen2".equals(type), 0f,
                headDimGiven ? headDim : hidden / heads);
        return new Llama(c, new Rng(0), supplied);
    }

    @Override
    public ObjectNode config(LanguageModel model) {
        Llama.Config c = ((Llama) model).config();
        boolean qwen2 = c.qkvBias() && !c.outputBias();
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        o.put("model_type", qwen2 ? "qwen2" : "llama");
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.dim());
        o.put("intermediate_size", c.hidden());
        o.put("num_hidden_layers", c.layers());
        o.put("num_attention_heads", c.heads());
        o.put("num_key_value_heads", c.kvHeads());
        o.put("head_dim", c.headDim());
        o.put("max_position_embeddings", c.contextLength());
        o.put("rms_norm_eps", c.normEps());
        o.put("rope_theta", c.ropeTheta());
        o.putNull("rope_scaling");
        o.put("hidden_act", "silu");
        o.put("tie_word_embeddings", c.tiedEmbeddings());
        if (!qwen2) {
            o.put("attention_bias", c.qkvBias());
            o.put("mlp_bias", false);
        } else {
            o.put("use_sliding_window", false);
        }
        o.put("attention_dropout", 0.0);
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", "float32");
        return o;
    }

    @Override
    public Map<String, Tensor> toHuggingFace(LanguageModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : model.parameters().entrySet()) {
            out.put(toHf(e.getKey()), e.getValue());
        }
        return out;
    }

    @Override
    public String fileNameOf(String name) {
        return toHf(name);
    }

    @Override
    public String parameterNameOf(String fileName) {
        return fromHf(fileName);
    }

    private static String fromHf(String n) {
        if (!n.startsWith("model.")) {
            return n;
        }
        return n.substring("model.".length())
                .replaceFirst("^layers\\.(\\d+)\\.input_layernorm\\.", "layers.$1.norm1.")
                .replaceFirst("^layers\\.(\\d+)\\.post_attention_layernorm\\.", "layers.$1.norm2.")
                .replaceFirst("^layers\\.(\\d+)\\.self_attn\\.", "layers.$1.attn.");
    }

    private static String toHf(String name) {
        if (name.equals("lm_head.weight")) {
            return name;
        }
        String n = name.replaceFirst("^layers\\.(\\d+)\\.norm1\\.", "layers.$1.input_layernorm.")
                .replaceFirst("^layers\\.(\\d+)\\.norm2\\.", "layers.$1.post_attention_layernorm.")
                .replaceFirst("^layers\\.(\\d+)\\.attn\\.", "layers.$1.self_attn.");
        return "model." + n;
    }

    @Override
    public Map<String, Tensor> fromHuggingFace(Map<String, Tensor> tensors, LanguageModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            if (!ignores(e.getKey(), model)) {
                out.put(fromHf(e.getKey()), e.getValue());
            }
        }
        return out;
    }

    /** A buffer older files carry (recomputed from rope_theta); a head tied to the embedding. */
    @Override
    public boolean ignores(String fileName, LanguageModel model) {
        return fileName.endsWith(".rotary_emb.inv_freq")
                || (((Llama) model).config().tiedEmbeddings() && fileName.equals("lm_head.weight"));
    }

    @Override
    public Source sourceOf(String name, Predicate<String> held) {
        String file = toHf(name);
        return held.test(file) ? Source.whole(file) : null;
    }
}
