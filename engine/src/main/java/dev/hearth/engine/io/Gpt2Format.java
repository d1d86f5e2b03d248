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
import java.util.function.Predicate;

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

    /**
     * A tensor of block i in both layouts, named after "h.i.": Hearth's and the file's, the part of
     * the file's last dimension it is (of parts), and whether the file stores it transposed.
     */
    private record Entry(String hearth, String file, int part, int parts, boolean transposed) {
        /** Hearth's tensor from the file's {@code t}, each of q, k and v being {@code dim} wide. */
        Tensor from(Tensor t, int dim) {
            Tensor p = parts == 1 ? t : t.narrow(t.rank() - 1, part * dim, dim);
            return transposed ? p.mT().contiguous() : parts == 1 ? p : p.contiguous();
        }
    }

    private static final List<Entry> BLOCK = List.of(
            new Entry("norm1.weight", "ln_1.weight", 0, 1, false),
            new Entry("norm1.bias", "ln_1.bias", 0, 1, false),
            new Entry("attn.q_proj.weight", "attn.c_attn.weight", 0, 3, true),
            new Entry("attn.k_proj.weight", "attn.c_attn.weight", 1, 3, true),
            new Entry("attn.v_proj.weight", "attn.c_attn.weight", 2, 3, true),
            new Entry("attn.q_proj.bias", "attn.c_attn.bias", 0, 3, false),
            new Entry("attn.k_proj.bias", "attn.c_attn.bias", 1, 3, false),
            new Entry("attn.v_proj.bias", "attn.c_attn.bias", 2, 3, false),
            new Entry("attn.o_proj.weight", "attn.c_proj.weight", 0, 1, true),
            new Entry("attn.o_proj.bias", "attn.c_proj.bias", 0, 1, false),
            new Entry("norm2.weight", "ln_2.weight", 0, 1, false),
            new Entry("norm2.bias", "ln_2.bias", 0, 1, false),
            new Entry("mlp.fc.weight", "mlp.c_fc.weight", 0, 1, true),
            new Entry("mlp.fc.bias", "mlp.c_fc.bias", 0, 1, false),
            new Entry("mlp.proj.weight", "mlp.c_proj.weight", 0, 1, true),
            new Entry("mlp.proj.bias", "mlp.c_proj.bias", 0, 1, false));

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
        return new Gpt(c, new Rng(0), supplied);
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
            if (ignores(e.getKey(), model)) {
                continue;
            }
            String name = unprefixed(e.getKey());
            Tensor t = e.getValue();
            String[] parts = name.split("\\.", 3);
            if (parts.length == 3 && parts[0].equals("h")) {
                List<Entry> entries = BLOCK.stream().filter(x -> x.file().equals(parts[2])).toList();
                if (entries.isEmpty()) {
                    out.put(e.getKey(), t);
                }
                for (Entry x : entries) {
                    out.put("h." + parts[1] + "." + x.hearth(), x.from(t, c));
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

    /** Causal-mask buffers, and the head tied to wte. */
    @Override
    public boolean ignores(String fileName, LanguageModel model) {
        String name = unprefixed(fileName);
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight");
    }

    @Override
    public Source sourceOf(String name, Predicate<String> held) {
        String[] parts = name.split("\\.", 3);
        Entry entry = null;
        String file = name;
        if (parts.length == 3 && parts[0].equals("h")) {
            entry = BLOCK.stream().filter(x -> x.hearth().equals(parts[2])).findFirst().orElse(null);
            if (entry == null) {
                return null;
            }
            file = "h." + parts[1] + "." + entry.file();
        }
        for (String f : List.of("transformer." + file, file)) {
            if (held.test(f)) {
                return entry == null ? Source.whole(f) : new Source(f, entry.part(), entry.parts(), entry.transposed());
            }
        }
        return null;
    }

    private static String unprefixed(String fileName) {
        return fileName.startsWith("transformer.") ? fileName.substring("transformer.".length()) : fileName;
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
