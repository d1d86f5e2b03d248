package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.quant.Int8Matrix;
import dev.hearth.engine.quant.Q4_0Matrix;
import dev.hearth.engine.quant.Q8_0Matrix;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * How a model folder stores quantized weights. {@code config.json} gets an entry
 *
 * <pre>
 * "quantization": {"format": "q8_0", "block_size": 32,
 *                  "tensors": {"model.layers.0.self_attn.q_proj.weight": [288, 288], ...}}
 * </pre>
 *
 * naming each quantized tensor (by its name in the file) and its logical shape (out, in); every
 * other tensor stays float as usual. In {@code model.safetensors} a Q8_0 or Q4_0 tensor is a U8
 * tensor of shape (out, in / 32 * 34) or (out, in / 32 * 18) holding exactly ggml's blocks, row
 * after row; an int8 tensor is an I8 tensor (out, in) plus an F32 tensor {@code <name>_scale}
 * (out) of per-row scales.
 */
final class QuantizedWeights {
    private QuantizedWeights() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "quantization";

    /** What config.json says: the format, and the file names of the quantized tensors with their (out, in). */
    record Spec(QuantFormat format, Map<String, int[]> tensors) {
        /** The names whose bytes are read raw: the packed tensors (int8 scales are read as floats). */
        Set<String> packedNames() {
            return tensors.keySet();
        }
    }

    /** The spec in {@code config}, or null when the model is not quantized. */
    static Spec read(Path configFile, ObjectNode config) {
        JsonNode q = config.get(KEY);
        if (q == null || q.isNull()) {
            return null;
        }
        if (!q.isObject() || !q.path("format").isTextual() || !q.path("tensors").isObject()) {
            throw new CheckpointException(configFile, "\"" + KEY + "\" must be an object with a \"format\" string and"
                    + " a \"tensors\" object (name: [out, in]); it is " + q);
        }
        QuantFormat format;
        try {
            format = QuantFormat.parse(q.get("format").asText());
        } catch (HearthException e) {
            throw new CheckpointException(configFile, "\"" + KEY + "\": " + e.getMessage());
        }
        Map<String, int[]> tensors = new LinkedHashMap<>();
        for (var e : q.get("tensors").properties()) {
            JsonNode s = e.getValue();
            if (!s.isArray() || s.size() != 2 || !s.get(0).canConvertToInt() || !s.get(1).canConvertToInt()) {
                throw new CheckpointException(configFile, "\"" + KEY + "\".tensors." + e.getKey()
                        + " must be [out, in], not " + s);
            }
            tensors.put(e.getKey(), new int[] {s.get(0).asInt(), s.get(1).asInt()});
        }
        return new Spec(format, tensors);
    }

    /** The config.json entry for the model's quantized weights, under the file's names. */
    static ObjectNode entry(ModelFormat format, Map<String, QuantizedMatrix> quantized) {
        ObjectNode o = JSON.createObjectNode();
        QuantFormat f = quantized.values().iterator().next().format();
        o.put("format", f.id());
        o.put("block_size", QuantFormat.BLOCK);
        ObjectNode t = o.putObject("tensors");
        quantized.forEach((name, q) -> t.putArray(fileName(format, name)).add(q.rows()).add(q.cols()));
        return o;
    }

    /** Adds the quantized weights to {@code writer} under the file's names. */
    static void add(SafeTensorsWriter writer, ModelFormat format, Map<String, QuantizedMatrix> quantized) {
        Set<QuantFormat> formats = new LinkedHashSet<>();
        quantized.values().forEach(q -> formats.add(q.format()));
        if (formats.size() > 1) {
            throw new CheckpointException("a model folder holds one quantization format, this model mixes " + formats);
        }
        for (var e : quantized.entrySet()) {
            String name = fileName(format, e.getKey());
            switch (e.getValue()) {
                case Q8_0Matrix m -> writer.addBytes(name, DType.U8, m.blocks(), m.rows(), QuantFormat.Q8_0.rowBytes(m.cols()));
                case Q4_0Matrix m -> writer.addBytes(name, DType.U8, m.blocks(), m.rows(), QuantFormat.Q4_0.rowBytes(m.cols()));
                case Int8Matrix m -> {
                    writer.addBytes(name, DType.I8, m.values(), m.rows(), m.cols());
                    writer.add(name + "_scale", Tensor.of(m.scales(), m.rows()));
                }
            }
        }
    }

    private static String fileName(ModelFormat format, String name) {
        String f = format.fileNameOf(name);
        if (f == null) {
            throw new CheckpointException("'" + name + "' is quantized but this architecture stores it fused or"
                    + " transposed in its files; only Llama-family models (llama, qwen2, mistral) are saved quantized");
        }
        return f;
    }

    /**
     * Puts the quantized weights into {@code model}'s layers, taking their raw bytes from
     * {@code packed} and int8 scales from {@code tensors} (removed from it, so that what remains
     * is the float weights).
     */
    static void install(Path dir, LanguageModel model, ModelFormat format, Spec spec, Map<String, byte[]> packed,
                        Map<String, Tensor> tensors) {
        for (var e : spec.tensors().entrySet()) {
            String file = e.getKey();
            int rows = e.getValue()[0];
            int cols = e.getValue()[1];
            byte[] bytes = packed.get(file);
            if (bytes == null) {
                throw new CheckpointException(dir, "config.json lists the quantized tensor '" + file + "' but"
                        + " model.safetensors does not hold it");
            }
            String name = format.parameterNameOf(file);
            int dot = name == null ? -1 : name.lastIndexOf('.');
            Module owner = dot < 0 ? null : model.find(name.substring(0, dot));
            QuantizedMatrix q;
            try {
                q = switch (spec.format()) {
                    case Q8_0 -> Q8_0Matrix.ofBlocks(bytes, rows, cols);
                    case Q4_0 -> Q4_0Matrix.ofBlocks(bytes, rows, cols);
                    case INT8 -> {
                        Tensor s = tensors.remove(file + "_scale");
                        if (s == null) {
                            throw new CheckpointException(dir, "the int8 tensor '" + file + "' has no '" + file
                                    + "_scale' tensor of row scales");
                        }
                        yield Int8Matrix.of(bytes, s.contiguous().toFloatArray(), rows, cols);
                    }
                };
                switch (owner) {
                    case Linear l when name.endsWith(".weight") -> l.useQuantized(q);
                    case Embedding emb when name.endsWith(".weight") -> emb.useQuantized(q);
                    case null, default -> throw new CheckpointException(dir, "the quantized tensor '" + file
                            + "' is not the weight of a linear layer or an embedding of this model");
                }
            } catch (CheckpointException ex) {
                throw ex;
            } catch (HearthException | IllegalArgumentException ex) {
                throw new CheckpointException(dir, "the quantized tensor '" + file + "' does not fit: " + ex.getMessage(),
                        ex);
            }
        }
    }
}
