package dev.hearth.lab.compress;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.lab.BuildInfo;
import dev.hearth.lab.data.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quantizes a model folder: every linear layer's weight and the token embedding (which is also the
 * output head when tied) go to Q8_0, Q4_0, per-channel int8 or Q4_K; norms and biases stay float32.
 * A matrix whose input width is not a multiple of the format's block (32, or Q4_K's super-block of
 * 256) cannot be cut into blocks: it is kept float32 and named in the result (a folder holds one
 * format, so Q4_K does not fall back to another 4-bit format as llama-quantize's Q5_0 does). The new folder loads, generates, serves and is registered like any
 * other (see docs/quantization.md for its layout).
 */
public final class Quantizer {
    private Quantizer() {}

    /** What was done: the tensors quantized, those kept float32 and why, and the weight files' sizes. */
    public record Result(Path model, Path out, QuantFormat format, List<String> quantized, Map<String, String> keptFloat,
                         long inputBytes, long outputBytes) {
        public Result {
            quantized = List.copyOf(quantized);
            keptFloat = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keptFloat));
        }
    }

    /** Quantizes the model in {@code modelDir} to {@code format} and writes it to {@code outDir} (which must be new or empty). */
    public static Result quantize(Path modelDir, QuantFormat format, Path outDir) {
        if (outDir.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new QuantizationException("--out " + outDir + " is the model folder itself; write the quantized model"
                    + " to a new folder so the float32 one is kept");
        }
        if (Files.exists(outDir) && !isEmptyDirectory(outDir)) {
            throw new QuantizationException("--out " + outDir + " already exists and is not empty; choose a new folder"
                    + " or remove it first");
        }
        ModelFolder.Loaded loaded = ModelFolder.load(modelDir);
        LanguageModel model = loaded.model();
        Map<String, QuantizedMatrix> already = model.quantizedParameters();
        if (!already.isEmpty()) {
            throw new QuantizationException(modelDir + " is already quantized ("
                    + already.values().iterator().next().format().id() + "); quantize the float32 model it was made"
                    + " from instead");
        }
        if (!(model instanceof Llama)) {
            throw new QuantizationException(modelDir + " holds a " + model.getClass().getSimpleName() + "; hearth"
                    + " quantize handles Llama-family models (llama, qwen2, mistral) so far, whose files store each"
                    + " linear weight as it is (GPT-2 fuses and transposes them)");
        }
        Applied applied = apply(model, format);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("quantization", format.id());
        meta.put("quantized_from", modelDir.toAbsolutePath().normalize().toString());
        meta.put("quantized_from_sha256", sha256(modelDir.resolve("model.safetensors")));
        meta.put("hearth_version", BuildInfo.version());
        ModelFolder.save(outDir, model, loaded.tokenizer(), loaded.generation(), meta);
        return new Result(modelDir, outDir, format, applied.quantized(), applied.keptFloat(), weightBytes(modelDir),
                weightBytes(outDir));
    }

    /** The matrices {@link #apply} quantized, and those it kept float32 with the reason. */
    public record Applied(List<String> quantized, Map<String, String> keptFloat) {}

    /**
     * Quantizes, in place, every linear weight and embedding table of {@code model} whose input
     * width is a multiple of the format's block size; the others stay float32 and are returned with
     * the reason.
     */
    public static Applied apply(Module model, QuantFormat format) {
        List<String> quantized = new ArrayList<>();
        Map<String, String> kept = new LinkedHashMap<>();
        quantizeBelow("", model, format, quantized, kept);
        return new Applied(List.copyOf(quantized), java.util.Collections.unmodifiableMap(kept));
    }

    private static void quantizeBelow(String prefix, Module m, QuantFormat format, List<String> quantized,
                                      Map<String, String> kept) {
        switch (m) {
            case Linear l -> quantizeOne(prefix + "weight", l.inFeatures(), format, () -> l.quantize(format), quantized,
                    kept);
            case Embedding e -> quantizeOne(prefix + "weight", e.weight().dim(1), format, () -> e.quantize(format),
                    quantized, kept);
            default -> { }
        }
        for (var c : m.children().entrySet()) {
            quantizeBelow(prefix + c.getKey() + ".", c.getValue(), format, quantized, kept);
        }
    }

    private static void quantizeOne(String name, int in, QuantFormat format, Runnable quantize, List<String> quantized,
                                    Map<String, String> kept) {
        if (in % format.blockSize() != 0) {
            kept.put(name, whyKept(in, format));
            return;
        }
        quantize.run();
        quantized.add(name);
    }

    /** Why a matrix of input width {@code in} stays float32 in {@code format}. */
    static String whyKept(int in, QuantFormat format) {
        return "its input width " + in + " is not a multiple of " + format.blockSize()
                + (format.blockSize() > QuantFormat.BLOCK ? " (" + format.id() + "'s super-block)" : "");
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new HearthException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Bytes of the folder's weight files (model.safetensors, or its shards). */
    static long weightBytes(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new HearthException("cannot read the size of " + p + ": " + e.getMessage(), e);
                }
            }).sum();
        } catch (IOException e) {
            throw new HearthException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of a model's weights file, or "sharded" for a model in several files. */
    static String sha256(Path file) {
        if (!Files.isRegularFile(file)) {
            return "sharded";
        }
        try {
            return Sha256.ofFile(file);
        } catch (IOException e) {
            throw new HearthException("cannot hash " + file + ": " + e.getMessage(), e);
        }
    }
}
