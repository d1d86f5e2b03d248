package dev.hearth.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a GGUF version 3 file, the format llama.cpp loads: all little-endian,
 *
 * <pre>
 * "GGUF"  u32 version=3  u64 tensor_count  u64 kv_count
 * kv_count x  (string key, u32 value_type, value)            string = u64 length + UTF-8 bytes
 * tensor_count x (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset)
 * zero padding to the alignment
 * tensor data, each tensor at data_start + offset, offsets multiples of the alignment
 * </pre>
 *
 * {@code ne[0]} is the innermost (contiguous) dimension: a (rows, cols) matrix is {@code ne = [cols, rows]}.
 * The alignment is {@code general.alignment} when that key is set (a power of two), else 32.
 */
public final class GgufWriter {
    public static final int VERSION = 3;
    public static final int DEFAULT_ALIGNMENT = 32;
    static final int MAGIC = 0x46554747;   // "GGUF" read as a little-endian u32

    private record PendingTensor(String name, GgmlType type, long[] ne, byte[] data) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new LinkedHashSet<>();

    /** Sets metadata {@code key} (keys keep the order they were first put in). */
    public GgufWriter put(String key, GgufValue value) {
        if (key.isEmpty()) {
            throw new GgufException("a GGUF metadata key cannot be empty");
        }
        if (key.equals("general.alignment")) {
            long a = value.asLong(key);
            if (value.type() != GgufValueType.UINT32 || a <= 0 || Long.bitCount(a) != 1) {
                throw new GgufException("general.alignment must be a uint32 power of two, not " + value);
            }
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor of dimensions {@code ne} (innermost first) whose bytes in {@code type} are
     * {@code data}, written as they are.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, byte[] data) {
        if (tensorNames.contains(name)) {
            throw new GgufException("the tensor '" + name + "' is added twice");
        }
        if (ne.length < 1 || ne.length > 4) {
            throw new GgufException("the tensor '" + name + "' has " + ne.length + " dimensions; GGUF holds 1 to 4");
        }
        long elements = 1;
        for (long n : ne) {
            if (n < 1) {
                throw new GgufException("the tensor '" + name + "' has a dimension of " + n);
            }
            elements *= n;
        }
        long expected = type.bytes(ne[0]) * (elements / ne[0]);
        if (expected != data.length) {
            throw new GgufException("the tensor '" + name + "' of " + type + " " + java.util.Arrays.toString(ne)
                    + " takes " + expected + " bytes, not " + data.length);
        }
        tensorNames.add(name);
        tensors.add(new PendingTensor(name, type, ne.clone(), data));
        return this;
    }

    int alignment() {
        GgufValue a = metadata.get("general.alignment");
        return a == null ? DEFAULT_ALIGNMENT : (int) a.asLong("general.alignment");
    }

    /** Writes the file (to a temporary file beside it, then moved into place) and returns its size in bytes. */
    public long write(Path file) {
        int align = alignment();
        Sink header = new Sink();
        header.u32(MAGIC);
        header.u32(VERSION);
        header.u64(tensors.size());
        header.u64(metadata.size());
        for (var e : metadata.entrySet()) {
            header.string(e.getKey());
            header.u32(e.getValue().type().id());
            writeValue(header, e.getKey(), e.getValue().type(), e.getValue().elementType(), e.getValue().value());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            header.string(t.name());
            header.u32(t.ne().length);
            for (long n : t.ne()) {
                header.u64(n);
            }
            header.u32(t.type().id());
            header.u64(offset);
            offset = pad(offset + t.data().length, align);
        }
        byte[] head = header.bytes();
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(head));
                long pos = head.length;
                long dataStart = pad(pos, align);
                writeFully(ch, ByteBuffer.allocate((int) (dataStart - pos)));
                pos = dataStart;
                for (PendingTensor t : tensors) {
                    writeFully(ch, ByteBuffer.wrap(t.data()));
                    pos += t.data().length;
                    long next = pad(pos, align);
                    writeFully(ch, ByteBuffer.allocate((int) (next - pos)));
                    pos = next;
                }
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static long pad(long n, int align) {
        return (n + align - 1) / align * align;
    }

    private static void writeValue(Sink s, String key, GgufValueType type, GgufValueType elementType, Object v) {
        try {
            switch (type) {
                case UINT8, INT8 -> s.u8((int) (long) (Long) v);
                case UINT16, INT16 -> s.u16((int) (long) (Long) v);
                case UINT32, INT32 -> s.u32((int) (long) (Long) v);
                case UINT64, INT64 -> s.u64((Long) v);
                case FLOAT32 -> s.u32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> s.u64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> s.u8((Boolean) v ? 1 : 0);
                case STRING -> s.string((String) v);
                case ARRAY -> {
                    if (elementType == GgufValueType.ARRAY) {
                        throw new GgufException(key + ": arrays of arrays are not written");
                    }
                    List<?> list = (List<?>) v;
                    s.u32(elementType.id());
                    s.u64(list.size());
                    for (Object o : list) {
                        writeValue(s, key, elementType, null, o);
                    }
                }
            }
        } catch (ClassCastException | NullPointerException e) {
            throw new GgufException(key + ": a " + type + " value cannot hold " + v, e);
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Sink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);

        void u8(int v) {
            out.write(v);
        }

        void u16(int v) {
            out.write(v);
            out.write(v >>> 8);
        }

        void u32(int v) {
            u16(v);
            u16(v >>> 16);
        }

        void u64(long v) {
            u32((int) v);
            u32((int) (v >>> 32));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b, 0, b.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
