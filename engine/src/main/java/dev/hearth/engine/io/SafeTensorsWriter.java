package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Builds a safetensors file: float tensors (stored as F32, F16, BF16 or F64), integer arrays
 * and raw element bytes, plus string metadata, written in the order they were added.
 *
 * <pre>{@code
 * new SafeTensorsWriter()
 *         .add("wte.weight", wte)                      // F32
 *         .add("h.0.mlp.c_fc.weight", w, DType.BF16)   // rounded to nearest even
 *         .addInts("position_ids", ids, 1, 1024)
 *         .metadata("format", "pt")
 *         .write(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>Tensors and arrays are held by reference and read when {@link #write} runs. The write is
 * atomic: the bytes go to a temporary file beside the target, are forced to disk, and the file is
 * then renamed over the target, so a reader sees the old file or the new one, never half of one.
 * A writer can be written more than once.
 */
public final class SafeTensorsWriter {
    /** The format's limit on the JSON header, also enforced by the reader. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER_BYTES = 1 << 20;

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();

    /** A float tensor stored as F32. Any layout; the values are written row-major. */
    public SafeTensorsWriter add(String name, Tensor tensor) {
        return add(name, tensor, DType.F32);
    }

    /** A float tensor stored as {@code dtype}: F32, F16 or BF16 (rounded to nearest even), or F64. */
    public SafeTensorsWriter add(String name, Tensor tensor, DType dtype) {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(dtype, "dtype");
        if (!dtype.storesFloatTensors()) {
            throw new CheckpointException("tensor '" + name + "': a float tensor cannot be stored as " + dtype
                    + "; use F32, F16, BF16 or F64, or addInts/addLongs/addBytes for integer data");
        }
        return put(new Entry(name, dtype, tensor.shape().toArray(), new FloatValues(tensor)));
    }

    /** A 1-D I32 tensor. */
    public SafeTensorsWriter addInts(String name, int[] data) {
        return addInts(name, data, data.length);
    }

    /** An I32 tensor of the given shape (row-major {@code data}; an empty shape is a scalar). */
    public SafeTensorsWriter addInts(String name, int[] data, int... shape) {
        checkCount(name, data.length, shape);
        return put(new Entry(name, DType.I32, shape.clone(), new IntValues(data)));
    }

    /** A 1-D I64 tensor. */
    public SafeTensorsWriter addLongs(String name, long[] data) {
        return addLongs(name, data, data.length);
    }

    /** An I64 tensor of the given shape (row-major {@code data}; an empty shape is a scalar). */
    public SafeTensorsWriter addLongs(String name, long[] data, int... shape) {
        checkCount(name, data.length, shape);
        return put(new Entry(name, DType.I64, shape.clone(), new LongValues(data)));
    }

    /**
     * A tensor given as its raw little-endian element bytes: {@code U8}/{@code I8}/{@code BOOL}
     * arrays, or already-encoded data of any type (F16 bytes copied from another file, packed
     * quantized blocks stored as U8). {@code data} must hold exactly numel x dtype size bytes.
     */
    public SafeTensorsWriter addBytes(String name, DType dtype, byte[] data, int... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Shape s = Shape.of(shape);
        long expected = (long) s.numel() * dtype.byteSize();
        if (data.length != expected) {
            throw new CheckpointException("tensor '" + name + "' (" + dtype + ", shape " + s + ") needs " + expected
                    + " bytes but " + data.length + " were given");
        }
        return put(new Entry(name, dtype, shape.clone(), new ByteValues(data)));
    }

    /** A string in the header's {@code __metadata__} map (a later value for the same key wins). */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "metadata key"),
                Objects.requireNonNull(value, () -> "metadata value for '" + key + "'"));
        return this;
    }

    public SafeTensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    /** Writes the file atomically, creating missing parent folders. */
    public void write(Path file) {
        write(file, UnaryOperator.identity());
    }

    /**
     * The write, with the file's channel passed through {@code channelFilter} first: tests use it
     * to make the disk "fill up" part way through.
     */
    void write(Path file, UnaryOperator<WritableByteChannel> channelFilter) {
        byte[] header = header();
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(file, "could not create the folder " + dir + ": " + describe(e), e);
        }
        Path temp = null;
        boolean moved = false;
        try {
            temp = createTemp(dir, target.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeContents(channelFilter.apply(channel), header);
                channel.force(true);
            }
            moveOver(temp, target);
            moved = true;
        } catch (IOException e) {
            throw new CheckpointException(file, "could not write the checkpoint: " + describe(e), e);
        } finally {
            if (!moved && temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
        }
        syncFolder(dir);
    }

    // ---------------------------------------------------------------- header

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries.values()) {
            ObjectNode node = root.putObject(e.name());
            node.put("dtype", e.dtype().specName());
            ArrayNode shape = node.putArray("shape");
            for (int d : e.shape()) {
                shape.add(d);
            }
            long end = offset + e.byteSize();
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new CheckpointException("could not encode the safetensors header: " + e.getMessage());
        }
        int padded = json.length + (8 - json.length % 8) % 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new CheckpointException("the safetensors header would take " + padded + " bytes, over the format's"
                    + " limit of " + MAX_HEADER_BYTES + "; split the tensors over several files");
        }
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    // ---------------------------------------------------------------- file handling

    /**
     * Creates an empty ".{name}.{random}.tmp" in {@code dir}, with the permissions a new file gets
     * there (Files.createTempFile would make it private to the owner).
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static void moveOver(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable where the platform allows syncing a folder (not Windows). */
    private static void syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the file's own bytes were already forced before the rename.
        }
    }

    private static String describe(IOException e) {
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : String.valueOf(e.getMessage());
        if (reason.contains("No space left") || reason.contains("Disk quota exceeded")
                || reason.contains("not enough space")) {
            return "the disk is full (" + reason + "); free some space or write the checkpoint elsewhere";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage() + "; check that the folder is writable";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    // ---------------------------------------------------------------- contents

    private void writeContents(WritableByteChannel channel, byte[] header) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer buffer = arena.allocate(BUFFER_BYTES, 8).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            Sink sink = new Sink(channel, buffer);
            sink.buf.putLong(header.length);
            sink.putBytes(header, 0, header.length);
            for (Entry e : entries.values()) {
                e.values().writeTo(sink, e.dtype());
            }
            sink.flush();
        }
    }

    private SafeTensorsWriter put(Entry e) {
        if (entries.containsKey(e.name())) {
            throw new CheckpointException("tensor '" + e.name() + "' was added twice; each name may appear once"
                    + " in a checkpoint");
        }
        entries.put(e.name(), e);
        return this;
    }

    private static void checkCount(String name, int count, int[] shape) {
        Shape s = Shape.of(shape);
        if (s.numel() != count) {
            throw new CheckpointException("tensor '" + name + "': " + count + " values cannot fill shape " + s + " ("
                    + s.numel() + " elements)");
        }
    }

    private record Entry(String name, DType dtype, int[] shape, Values values) {
        Entry {
            Objects.requireNonNull(name, "tensor name");
            if (name.equals("__metadata__")) {
                throw new CheckpointException("'__metadata__' is reserved by the safetensors format for the string"
                        + " metadata map; give the tensor another name");
            }
        }

        long byteSize() {
            return (long) Shape.of(shape).numel() * dtype.byteSize();
        }
    }

    /** The elements of one entry, encoded into the sink as {@code dtype}. */
    private sealed interface Values permits FloatValues, IntValues, LongValues, ByteValues {
        void writeTo(Sink sink, DType dtype) throws IOException;
    }

    private record FloatValues(Tensor tensor) implements Values {
        @Override
        public void writeTo(Sink sink, DType dtype) throws IOException {
            float[] data;
            int off;
            if (tensor.isContiguous()) {
                data = tensor.data();
                off = tensor.offset();
            } else {
                data = tensor.toFloatArray();
                off = 0;
            }
            int n = tensor.numel();
            switch (dtype) {
                case F32 -> sink.putFloats(data, off, n);
                case F64 -> {
                    for (int i = 0; i < n; i++) {
                        sink.room(8).putDouble(data[off + i]);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        sink.room(2).putShort(NarrowFloats.toF16(data[off + i]));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        sink.room(2).putShort(NarrowFloats.toBF16(data[off + i]));
                    }
                }
                default -> throw new IllegalStateException("not a float storage type: " + dtype);
            }
        }
    }

    private record IntValues(int[] data) implements Values {
        @Override
        public void writeTo(Sink sink, DType dtype) throws IOException {
            int off = 0;
            while (off < data.length) {
                int k = Math.min(data.length - off, sink.room(4).remaining() / 4);
                sink.buf.asIntBuffer().put(data, off, k);
                sink.buf.position(sink.buf.position() + 4 * k);
                off += k;
            }
        }
    }

    private record LongValues(long[] data) implements Values {
        @Override
        public void writeTo(Sink sink, DType dtype) throws IOException {
            int off = 0;
            while (off < data.length) {
                int k = Math.min(data.length - off, sink.room(8).remaining() / 8);
                sink.buf.asLongBuffer().put(data, off, k);
                sink.buf.position(sink.buf.position() + 8 * k);
                off += k;
            }
        }
    }

    private record ByteValues(byte[] data) implements Values {
        @Override
        public void writeTo(Sink sink, DType dtype) throws IOException {
            sink.putBytes(data, 0, data.length);
        }
    }

    /** A little-endian buffer in front of the file's channel. */
    private static final class Sink {
        final WritableByteChannel channel;
        final ByteBuffer buf;

        Sink(WritableByteChannel channel, ByteBuffer buf) {
            this.channel = channel;
            this.buf = buf;
        }

        /** The buffer, flushed first if fewer than {@code bytes} bytes are free. */
        ByteBuffer room(int bytes) throws IOException {
            if (buf.remaining() < bytes) {
                flush();
            }
            return buf;
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            buf.clear();
        }

        void putFloats(float[] a, int off, int n) throws IOException {
            while (n > 0) {
                int k = Math.min(n, room(4).remaining() / 4);
                buf.asFloatBuffer().put(a, off, k);
                buf.position(buf.position() + 4 * k);
                off += k;
                n -= k;
            }
        }

        void putBytes(byte[] a, int off, int n) throws IOException {
            while (n > 0) {
                int k = Math.min(n, room(1).remaining());
                buf.put(a, off, k);
                off += k;
                n -= k;
            }
        }
    }
}
