package dev.hearth.engine.io;

import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One-call reading and writing of safetensors checkpoints, the format Hugging Face models ship in:
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the packed little-endian data. For integer arrays or mixed dtypes use
 * {@link SafeTensorsWriter}; to read lazily, or raw bytes, use {@link SafeTensorsFile}.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Writes {@code tensors} as F32 in iteration order, with optional string metadata, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, DType.F32);
    }

    /** Writes {@code tensors} stored as {@code floatType} (F32, F16, BF16 or F64), atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
            DType floatType) {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        tensors.forEach((name, t) -> writer.add(name, t, floatType));
        if (metadata != null) {
            writer.metadata(metadata);
        }
        writer.write(file);
    }

    /** Every tensor of {@code file} as float32, in header order. */
    public static LinkedHashMap<String, Tensor> read(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.readAll();
        }
    }

    /** The header's {@code __metadata__} strings of {@code file}, without reading any tensor. */
    public static Map<String, String> readMetadata(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.metadata();
        }
    }
}
