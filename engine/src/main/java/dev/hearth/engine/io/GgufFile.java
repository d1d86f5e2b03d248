package dev.hearth.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file as read back: version, metadata in file order, tensor descriptions with their
 * offsets, and where the data starts. Every count and offset is checked against the file's size,
 * so a damaged file fails with a message naming the key or tensor rather than a stray exception.
 * Tensor data is read on demand with {@link #tensorBytes}.
 */
public final class GgufFile {
    /** One tensor's description: name, dimensions innermost first, type, offset from the data start. */
    public record TensorInfo(String name, long[] ne, GgmlType type, long offset) {
        public long elements() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }

        public long byteSize() {
            return type.bytes(ne[0]) * (elements() / ne[0]);
        }
    }

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final List<TensorInfo> tensors;
    private final int alignment;
    private final long dataStart;
    private final long fileSize;

    private GgufFile(Path path, int version, Map<String, GgufValue> metadata, List<TensorInfo> tensors, int alignment,
                     long dataStart, long fileSize) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        this.alignment = alignment;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
    }

    public static GgufFile read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                    .order(ByteOrder.LITTLE_ENDIAN);
            try {
                return parse(path, b, size);
            } catch (BufferUnderflowException e) {
                throw new GgufException(path + ": the file ends inside its header (" + size + " bytes); it is cut short");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static GgufFile parse(Path path, ByteBuffer b, long size) {
        if (size < 24 || b.getInt() != GgufWriter.MAGIC) {
            throw new GgufException(path + ": not a GGUF file (it does not start with \"GGUF\")");
        }
        int version = b.getInt();
        if (version != 2 && version != 3) {
            throw new GgufException(path + ": GGUF version " + version + "; Hearth reads versions 2 and 3");
        }
        long tensorCount = b.getLong();
        long kvCount = b.getLong();
        if (tensorCount < 0 || kvCount < 0 || tensorCount > size || kvCount > size) {
            throw new GgufException(path + ": impossible counts (" + tensorCount + " tensors, " + kvCount + " keys)");
        }
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string(path, b, "key " + i);
            int typeId = b.getInt();
            GgufValueType type = GgufValueType.ofId(typeId);
            if (type == null) {
                throw new GgufException(path + ": key '" + key + "' has the unknown value type " + typeId);
            }
            if (metadata.containsKey(key)) {
                throw new GgufException(path + ": key '" + key + "' appears twice");
            }
            metadata.put(key, value(path, b, key, type));
        }
        int alignment = GgufWriter.DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get("general.alignment");
        if (a != null) {
            long v = a.asLong("general.alignment");
            if (a.type() != GgufValueType.UINT32 || v <= 0 || Long.bitCount(v) != 1) {
                throw new GgufException(path + ": general.alignment must be a uint32 power of two, not " + a);
            }
            alignment = (int) v;
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string(path, b, "tensor " + i + "'s name");
            int dims = b.getInt();
            if (dims < 1 || dims > 4) {
                throw new GgufException(path + ": tensor '" + name + "' has " + dims + " dimensions (1 to 4 allowed)");
            }
            long[] ne = new long[dims];
            for (int d = 0; d < dims; d++) {
                ne[d] = b.getLong();
                if (ne[d] < 1) {
                    throw new GgufException(path + ": tensor '" + name + "' has a dimension of " + ne[d]);
                }
            }
            int typeId = b.getInt();
            GgmlType type = GgmlType.ofId(typeId);
            if (type == null) {
                throw new GgufException(path + ": tensor '" + name + "' has ggml type " + typeId
                        + ", which Hearth does not read (it reads F32, F16, Q8_0, Q4_0, Q4_K)");
            }
            long offset = b.getLong();
            if (offset % alignment != 0) {
                throw new GgufException(path + ": tensor '" + name + "' starts at offset " + offset
                        + ", not a multiple of the alignment " + alignment);
            }
            tensors.add(new TensorInfo(name, ne, type, offset));
        }
        long dataStart = GgufWriter.pad(b.position(), alignment);
        for (TensorInfo t : tensors) {
            if (dataStart + t.offset() + t.byteSize() > size) {
                throw new GgufException(path + ": tensor '" + t.name() + "' (" + t.byteSize() + " bytes at offset "
                        + t.offset() + ") runs past the end of the file");
            }
        }
        return new GgufFile(path, version, metadata, tensors, alignment, dataStart, size);
    }

    private static String string(Path path, ByteBuffer b, String what) {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) {
            throw new GgufException(path + ": " + what + " claims a string of " + n + " bytes, more than the file holds");
        }
        byte[] bytes = new byte[(int) n];
        b.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new GgufException(path + ": " + what + " is not valid UTF-8");
        }
    }

    private static GgufValue value(Path path, ByteBuffer b, String key, GgufValueType type) {
        if (type == GgufValueType.ARRAY) {
            int elemId = b.getInt();
            GgufValueType elem = GgufValueType.ofId(elemId);
            if (elem == null || elem == GgufValueType.ARRAY) {
                throw new GgufException(path + ": key '" + key + "' is an array of type " + elemId
                        + ", which Hearth does not read");
            }
            long n = b.getLong();
            if (n < 0 || n > b.remaining()) {
                throw new GgufException(path + ": key '" + key + "' claims " + n + " elements, more than the file holds");
            }
            List<Object> list = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                list.add(scalar(path, b, key + "[" + i + "]", elem));
            }
            return new GgufValue(GgufValueType.ARRAY, elem, Collections.unmodifiableList(list));
        }
        return new GgufValue(type, null, scalar(path, b, key, type));
    }

    private static Object scalar(Path path, ByteBuffer b, String key, GgufValueType type) {
        return switch (type) {
            case UINT8 -> (long) (b.get() & 0xFF);
            case INT8 -> (long) b.get();
            case UINT16 -> (long) (b.getShort() & 0xFFFF);
            case INT16 -> (long) b.getShort();
            case UINT32 -> b.getInt() & 0xFFFF_FFFFL;
            case INT32 -> (long) b.getInt();
            case UINT64, INT64 -> b.getLong();
            case FLOAT32 -> b.getFloat();
            case FLOAT64 -> b.getDouble();
            case BOOL -> {
                int v = b.get();
                if (v != 0 && v != 1) {
                    throw new GgufException(path + ": key '" + key + "' is a bool of value " + v);
                }
                yield v == 1;
            }
            case STRING -> string(path, b, "key '" + key + "'");
            case ARRAY -> throw new GgufException(path + ": key '" + key + "': nested arrays are not read");
        };
    }

    /** The bytes of {@code tensor}, exactly as stored. */
    public byte[] tensorBytes(TensorInfo tensor) {
        long n = tensor.byteSize();
        if (n > Integer.MAX_VALUE) {
            throw new GgufException(path + ": tensor '" + tensor.name() + "' is larger than 2 GiB");
        }
        byte[] out = new byte[(int) n];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer dst = ByteBuffer.wrap(out);
            long pos = dataStart + tensor.offset();
            while (dst.hasRemaining()) {
                int r = ch.read(dst, pos);
                if (r < 0) {
                    throw new GgufException(path + ": tensor '" + tensor.name() + "' is cut short");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The tensor named {@code name}, failing with the names there are. */
    public TensorInfo tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new GgufException(
                path + " has no tensor '" + name + "'"));
    }

    /** Metadata {@code key}, failing with a message naming it when absent. */
    public GgufValue get(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new GgufException(path + " has no metadata key '" + key + "'");
        }
        return v;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Where tensor data starts in the file (the header's end rounded up to the alignment). */
    public long dataStart() {
        return dataStart;
    }

    public long fileSize() {
        return fileSize;
    }
}
