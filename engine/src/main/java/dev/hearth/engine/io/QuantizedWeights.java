package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.quant.Int8Matrix;
import dev.hearth.engine.quant.Q4_0Matrix;
import dev.hearth.engine.quant.Q4_KMatrix;
import dev.hearth.engine.quant.Q8_0Matrix;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
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
 * other tensor stays float as usual. In {@code model.safetensors} a Q8_0, Q4_0 or Q4_K tensor is a
 * U8 tensor of shape (out, in / 32 * 34), (out, in / 32 * 18) or (out, in / 256 * 144) holding
 * exactly ggml's blocks, row after row; an int8 tensor is an I8 tensor (out, in) plus an F32 tensor {@code <name>_scale}
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
        o.put("block_size", f.blockSize());
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
                case Q4_KMatrix m -> writer.addBytes(name, DType.U8, m.blocks(), m.rows(), QuantFormat.Q4_K.rowBytes(m.cols()));
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
     * The folder's quantized matrices, read from {@code files} (each copied once, from the mapped
     * file onto the heap; no float copy is made) and keyed by Hearth's parameter names, ready to be
     * handed to the model's layers as it is built. Int8 row scales are read along with their matrix.
     */
    static Supply supply(Path dir, ModelFormat format, Spec spec, List<SafeTensorsFile> files) {
        Map<String, QuantizedMatrix> matrices = new LinkedHashMap<>();
        Map<String, String> fileNames = new LinkedHashMap<>();
        Set<String> read = new LinkedHashSet<>();
        for (var e : spec.tensors().entrySet()) {
            String file = e.getKey();
            int rows = e.getValue()[0];
            int cols = e.getValue()[1];
            SafeTensorsFile holder = holderOf(files, file);
            if (holder == null) {
                throw new CheckpointException(dir, "config.json lists the quantized tensor '" + file + "' but"
                        + " model.safetensors does not hold it");
            }
            QuantizedMatrix q;
            try {
                SafeTensorsFile.TensorInfo info = holder.info(file);
                if (info.dtype().byteSize() != 1) {
                    throw new CheckpointException(dir, "the quantized tensor '" + file + "' is stored as "
                            + info.dtype() + "; " + spec.format().id() + " weights are stored as bytes ("
                            + (spec.format() == QuantFormat.INT8 ? "I8" : "U8") + "): the file does not match its"
                            + " config.json");
                }
                MemorySegment bytes = holder.segment(file);
                q = switch (spec.format()) {
                    case Q8_0 -> Q8_0Matrix.ofBlocks(bytes, rows, cols);
                    case Q4_0 -> Q4_0Matrix.ofBlocks(bytes, rows, cols);
                    case Q4_K -> Q4_KMatrix.ofBlocks(bytes, rows, cols);
                    case INT8 -> {
                        String scaleName = file + "_scale";
                        SafeTensorsFile scaleHolder = holderOf(files, scaleName);
                        if (scaleHolder == null) {
                            throw new CheckpointException(dir, "the int8 tensor '" + file + "' has no '" + scaleName
                                    + "' tensor of row scales");
                        }
                        read.add(scaleName);
                        yield Int8Matrix.of(bytes, scaleHolder.tensor(scaleName).contiguous().toFloatArray(), rows,
                                cols);
                    }
                };
            } catch (CheckpointException ex) {
                throw ex;
            } catch (HearthException | IllegalArgumentException ex) {
                throw new CheckpointException(dir, "the quantized tensor '" + file + "' does not fit: " + ex.getMessage(),
                        ex);
            }
            read.add(file);
            String name = format.parameterNameOf(file);
            if (name == null || matrices.containsKey(name)) {
                throw notALayerWeight(dir, file);
            }
            matrices.put(name, q);
            fileNames.put(name, file);
        }
        return new Supply(dir, matrices, fileNames, read);
    }

    private static SafeTensorsFile holderOf(List<SafeTensorsFile> files, String name) {
        for (SafeTensorsFile f : files) {
            if (f.contains(name)) {
                return f;
            }
        }
        return null;
    }

    private static CheckpointException notALayerWeight(Path dir, String file) {
        return new CheckpointException(dir, "the quantized tensor '" + file + "' is not the weight of a linear layer"
                + " or an embedding of this model");
    }

    /**
     * A folder's quantized matrices as the layers of the model being built ask for them: each is
     * checked to have the shape of the layer's weight and remembered as taken, so that
     * {@link #checkAllTaken} can report a matrix that no layer of the model has.
     */
    static final class Supply implements SuppliedWeights {
        private final Path dir;
        private final Map<String, QuantizedMatrix> matrices;  // by Hearth's parameter name
        private final Map<String, String> fileNames;          // Hearth's name -> the file's
        private final Set<String> read;                       // the file's tensors read here
        private final Set<String> taken = new LinkedHashSet<>();

        private Supply(Path dir, Map<String, QuantizedMatrix> matrices, Map<String, String> fileNames, Set<String> read) {
            this.dir = dir;
            this.matrices = matrices;
            this.fileNames = fileNames;
            this.read = Collections.unmodifiableSet(read);
        }

        @Override
        public QuantizedMatrix quantized(String name, int rows, int cols) {
            QuantizedMatrix q = matrices.get(name);
            if (q == null) {
                return null;
            }
            if (q.rows() != rows || q.cols() != cols) {
                throw new CheckpointException(dir, "the quantized tensor '" + fileNames.get(name) + "' does not fit:"
                        + " it is " + q.rows() + " x " + q.cols() + " but the model's '" + name + "' has shape ("
                        + rows + ", " + cols + ") (was it saved from a different config?)");
            }
            taken.add(name);
            return q;
        }

        /** The file's tensors this supply read (packed matrices and int8 scales): not float weights. */
        Set<String> read() {
            return read;
        }

        /** Throws unless every matrix was taken by a layer of the model just built. */
        void checkAllTaken() {
            for (String name : matrices.keySet()) {
                if (!taken.contains(name)) {
                    throw notALayerWeight(dir, fileNames.get(name));
                }
            }
        }
    }
}
