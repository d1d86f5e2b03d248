package dev.hearth.engine.io;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.ops.Views;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 in Hugging Face's layout ({@code GPT2LMHeadModel}). The linear layers there are
 * "Conv1D" with weights stored (in, out), the transpose of Hearth's (out, in), and the query,
 * key and value projections are one fused {@code c_attn} of width 3C:
 *
 * <pre>
 * Hearth                         Hugging Face (prefix "transformer.", optional when reading)
 * wte.weight      (V, C)         wte.weight                      (V, C)
 * wpe.weight      (T, C)         wpe.weight                      (T, C)
 * h.i.norm1.{weight,bias}        h.i.ln_1.{weight,bias}
 * h.i.attn.{q,k,v}_proj.weight   h.i.attn.c_attn.weight          (C, 3C) = [q^T | k^T | v^T]
 * h.i.attn.{q,k,v}_proj.bias     h.i.attn.c_attn.bias            (3C)
 * h.i.attn.o_proj.weight (C, C)  h.i.attn.c_proj.weight          (C, C) transposed
 * h.i.norm2.{weight,bias}        h.i.ln_2.{weight,bias}
 * h.i.mlp.fc.weight   (4C, C)    h.i.mlp.c_fc.weight             (C, 4C) transposed
 * h.i.mlp.proj.weight (C, 4C)    h.i.mlp.c_proj.weight           (4C, C) transposed
 * ln_f.{weight,bias}             ln_f.{weight,bias}
 * (tied to wte)                  lm_head.weight (if present, must equal wte)
 * </pre>
 *
 * The causal-mask buffers older files carry ({@code attn.bias}, {@code attn.masked_bias}) are
 * ignored.
 */
final class Gpt2Format implements ModelFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean reads(String modelType) {
        return "gpt2".equals(modelType);
    }

    @Override
    public boolean writes(LanguageModel model) {
        return model instanceof Gpt;
    }

    @Override
    public LanguageModel build(ObjectNode config, ConfigReader read, SuppliedWeights supplied) {
        String act = read.text("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw read.fail("activation_function", "is \"" + act + "\"; Hearth's GPT-2 uses the tanh GELU (gelu_new)");
        }
        if (read.node("n_inner") != null && !read.node("n_inner").isNull()
                && read.integer("n_inner") != 4 * read.integer("n_embd")) {
            throw read.fail("n_inner", "must be 4 * n_embd (or null) for Hearth's GPT-2");
        }
        if (Math.abs(read.number("layer_norm_epsilon", 1e-5) - 1e-5) > 1e-9) {
            throw read.fail("layer_norm_epsilon", "must be 1e-5 for Hearth's GPT-2");
        }
        if (!read.bool("tie_word_embeddings", true)) {
            throw read.fail("tie_word_embeddings", "is false; Hearth's GPT-2 ties the output head to wte");
        }
        var c = new Gpt.Config(read.integer("vocab_size"), read.integer("n_positions"), read.integer("n_layer"),
                read.integer("n_head"), read.integer("n_embd"), (float) read.number("resid_pdrop", 0),
                read.bool("bias", true));
        return new Gpt(c, new Rng(0));
    }

    @Override
    public ObjectNode config(LanguageModel model) {
        Gpt.Config c = ((Gpt) model).config();
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("vocab_size", c.vocabSize());
        o.put("n_positions", c.contextLength());
        o.put("n_ctx", c.contextLength());
        o.put("n_embd", c.dim());
        o.put("n_layer", c.layers());
        o.put("n_head", c.heads());
        o.putNull("n_inner");
        o.put("activation_function", "gelu_new");
        o.put("layer_norm_epsilon", 1e-5);
        o.put("resid_pdrop", c.dropout());
        o.put("embd_pdrop", c.dropout());
        o.put("attn_pdrop", 0.0);
        o.put("initializer_range", 0.02);
        o.put("tie_word_embeddings", true);
        if (!c.bias()) {
            o.put("bias", false); // Hearth's own key (transformers ignores it): the biases in the file are zeros
        }
        o.put("torch_dtype", "float32");
        return o;
    }

    @Override
    public Map<String, Tensor> toHuggingFace(LanguageModel model) {
        Map<String, Tensor> p = model.parameters();
        Gpt.Config c = ((Gpt) model).config();
        int dim = c.dim();
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("transformer.wte.weight", p.get("wte.weight"));
        out.put("transformer.wpe.weight", p.get("wpe.weight"));
        for (int i = 0; i < c.layers(); i++) {
            String h = "h." + i + ".";
            String t = "transformer.h." + i + ".";
            out.put(t + "ln_1.weight", p.get(h + "norm1.weight"));
            out.put(t + "ln_1.bias", bias(p, h + "norm1.bias", dim));
            out.put(t + "attn.c_attn.weight", Views.concat(List.of(p.get(h + "attn.q_proj.weight").mT(),
                    p.get(h + "attn.k_proj.weight").mT(), p.get(h + "attn.v_proj.weight").mT()), 1));
            out.put(t + "attn.c_attn.bias", Views.concat(List.of(bias(p, h + "attn.q_proj.bias", dim),
                    bias(p, h + "attn.k_proj.bias", dim), bias(p, h + "attn.v_proj.bias", dim)), 0));
            out.put(t + "attn.c_proj.weight", p.get(h + "attn.o_proj.weight").mT());
            out.put(t + "attn.c_proj.bias", bias(p, h + "attn.o_proj.bias", dim));
            out.put(t + "ln_2.weight", p.get(h + "norm2.weight"));
            out.put(t + "ln_2.bias", bias(p, h + "norm2.bias", dim));
            out.put(t + "mlp.c_fc.weight", p.get(h + "mlp.fc.weight").mT());
            out.put(t + "mlp.c_fc.bias", bias(p, h + "mlp.fc.bias", 4 * dim));
            out.put(t + "mlp.c_proj.weight", p.get(h + "mlp.proj.weight").mT());
            out.put(t + "mlp.c_proj.bias", bias(p, h + "mlp.proj.bias", dim));
        }
        out.put("transformer.ln_f.weight", p.get("ln_f.weight"));
        out.put("transformer.ln_f.bias", bias(p, "ln_f.bias", dim));
        return out;
    }

    /**
     * A bias, or zeros when the model was built without biases (nanoGPT's bias=False): GPT-2's
     * layout always has them, and zeros compute the same thing, so the folder loads in
     * transformers; config.json's {@code "bias": false} brings it back bias-free in Hearth.
     */
    private static Tensor bias(Map<String, Tensor> p, String name, int size) {
        Tensor b = p.get(name);
        return b != null ? b : Tensor.zeros(size);
    }

    @Override
    public Map<String, Tensor> fromHuggingFace(Map<String, Tensor> tensors, LanguageModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int c = ((Gpt) model).config().dim();
        for (var e : tensors.entrySet()) {
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length()) : e.getKey();
            Tensor t = e.getValue();
            if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight")) {
                continue; // causal-mask buffers, and the head tied to wte
            }
            String[] parts = name.split("\\.", 3);
            if (parts.length == 3 && parts[0].equals("h")) {
                String h = "h." + parts[1] + ".";
                switch (parts[2]) {
                    case "ln_1.weight", "ln_1.bias" -> out.put(h + "norm1." + parts[2].substring(5), t);
                    case "ln_2.weight", "ln_2.bias" -> out.put(h + "norm2." + parts[2].substring(5), t);
                    case "attn.c_attn.weight" -> {
                        for (int k = 0; k < 3; k++) {
                            out.put(h + "attn." + "qkv".charAt(k) + "_proj.weight", t.narrow(1, k * c, c).mT().contiguous());
                        }
                    }
                    case "attn.c_attn.bias" -> {
                        for (int k = 0; k < 3; k++) {
                            out.put(h + "attn." + "qkv".charAt(k) + "_proj.bias", t.narrow(0, k * c, c).contiguous());
                        }
                    }
                    case "attn.c_proj.weight" -> out.put(h + "attn.o_proj.weight", t.mT().contiguous());
                    case "attn.c_proj.bias" -> out.put(h + "attn.o_proj.bias", t);
                    case "mlp.c_fc.weight" -> out.put(h + "mlp.fc.weight", t.mT().contiguous());
                    case "mlp.c_fc.bias" -> out.put(h + "mlp.fc.bias", t);
                    case "mlp.c_proj.weight" -> out.put(h + "mlp.proj.weight", t.mT().contiguous());
                    case "mlp.c_proj.bias" -> out.put(h + "mlp.proj.bias", t);
                    default -> out.put(e.getKey(), t);
                }
            } else {
                out.put(name, t);
            }
        }
        if (!((Gpt) model).config().bias()) {
            dropZeroBiases(out);
        }
        return out;
    }

    /** A model built without biases: the file's biases must be the zeros {@link #toHuggingFace} wrote. */
    private static void dropZeroBiases(Map<String, Tensor> tensors) {
        var it = tensors.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getKey().endsWith(".bias")) {
                continue;
            }
            float[] v = e.getValue().contiguous().toFloatArray();
            for (float x : v) {
                if (x != 0f) {
                    throw new HearthException("config.json says \"bias\": false but " + e.getKey() + " is not zero;"
                            + " remove \"bias\" from config.json to load the biases");
                }
            }
            it.remove();
        }
    }
}
