package dev.hearth.engine.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hearth.engine.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A safetensors file, memory-mapped and validated, from which tensors are read by name.
 *
 * <p>{@link #open} maps the whole file read-only (offsets are longs, so files past 2 GB work; a
 * file encrypted at rest is decrypted into memory instead, see {@link StoredFiles}) and
 * checks the header against the format before anything is read: the header length, UTF-8 JSON
 * object, every entry's dtype, shape and data_offsets, that each tensor's byte count matches its
 * shape, and that the tensors cover the data buffer exactly, with no gaps, overlaps, truncation
 * or trailing bytes. Any violation is a {@link CheckpointException} naming the file, the tensor
 * and the bytes concerned.
 *
 * <p>{@link #tensor} converts any dtype to a float32 heap tensor; {@link #ints}, {@link #longs}
 * and {@link #bytes} return integer data exactly; {@link #segment} gives the raw bytes without a
 * copy. Reads may come from several threads at once. {@link #close} unmaps the file: segments
 * handed out before must not be used after it.
 */
public final class SafeTensorsFile implements AutoCloseable {
    /**
     * Where a tensor lives: its dtype, its shape (longs, as the format allows), and its bytes
     * {@code [start, end)} counted from the beginning of the file (header included).
     */
    public record TensorInfo(String name, DType dtype, long[] shape, long start, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public int rank() {
            return shape.length;
        }

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long byteSize() {
            return end - start;
        }

        /** "(64, 64)", "(5,)", "()" for a scalar, as {@link dev.hearth.engine.tensor.Shape} prints. */
        public String shapeString() {
            return formatShape(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                    && start == t.start && end == t.end;
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape) + Long.hashCode(start);
        }

        @Override
        public String toString() {
            return "'" + name + "' " + dtype + " " + shapeString() + " at file bytes " + start + ".." + end;
        }
    }

    /** The largest array the JVM allocates; a tensor with more elements is available only as a segment. */
    static final int MAX_HEAP_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapped;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path file, Arena arena, MemorySegment mapped, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.mapped = mapped;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Maps {@code file} and validates its header; throws {@link CheckpointException} on any fault. */
    public static SafeTensorsFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file, "is a folder, not a safetensors file; pass the .safetensors file"
                    + " inside it (for example " + file.resolve("model.safetensors") + ")");
        }
        try {
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = StoredFiles.map(file, arena); // decrypted in memory if encrypted at rest
                long size = mapped.byteSize();
                if (size < 8) {
                    throw new CheckpointException(file, "is " + size + " bytes long, shorter than the 8-byte header"
                            + " length every safetensors file starts with: it is empty, cut off, or not a safetensors"
                            + " file");
                }
                HeaderReader header = new HeaderReader(file, mapped);
                header.read();
                return new SafeTensorsFile(file, arena, mapped, header.tensors, header.metadata);
            } catch (IOException | RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "could not be read: " + e, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in the order the header lists them. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header's {@code __metadata__} strings, in header order (empty if it has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            String some = tensors.keySet().stream().limit(5).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
            throw new CheckpointException(file, "has no tensor named '" + name + "'; it holds " + tensors.size()
                    + " tensors" + (tensors.isEmpty() ? "" : ": " + some + (tensors.size() > 5 ? ", ..." : "")));
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor, read-only and without a copy; valid until {@link #close}. */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        checkOpen(name);
        return mapped.asSlice(info.start(), info.byteSize());
    }

    /**
     * The tensor as a row-major float32 heap tensor. F32 is copied in bulk; F16, BF16, F8 and F64
     * are converted (F64 rounds to float); integers and BOOL become their values as floats (exact
     * up to 2^24 in magnitude).
     */
    public Tensor tensor(String name) {
        TensorInfo info = info(name);
        int n = heapCount(info);
        return Tensor.of(floats(info, n), heapDims(info));
    }

    /**
     * Part {@code part} of {@code parts} equal parts of the tensor's last dimension, converted to
     * float32 as {@link #tensor} converts, row-major, and transposed when {@code transposed} (the part
     * (rows, cols) of a matrix comes back as (cols, rows)). The values are decoded from the mapped
     * bytes straight into the returned array, the one copy made; {@code (0, 1, false)} is the whole
     * tensor. How a model's parameter is read from a file that stores it inside a larger tensor or
     * in the other layout (GPT-2's fused, transposed q, k and v).
     */
    public float[] readFloats(String name, int part, int parts, boolean transposed) {
        TensorInfo info = info(name);
        long[] shape = info.shape();
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts + " does not exist");
        }
        if (parts == 1 && !transposed) {
            return floats(info, heapCount(info));
        }
        if (shape.length == 0 || (transposed && shape.length != 2)) {
            throw new CheckpointException(file, "tensor '" + name + "' has shape " + info.shapeString() + "; only "
                    + (transposed ? "a matrix is read transposed"
                            : "a tensor of one or more dimensions is read in parts"));
        }
        long cols = shape[shape.length - 1];
        if (cols % parts != 0) {
            throw new CheckpointException(file, "tensor '" + name + "' has shape " + info.shapeString() + ", whose last"
                    + " dimension does not split into " + parts + " equal parts");
        }
        long width = cols / parts;
        long rows = cols == 0 ? 0 : info.numel() / cols;
        if (rows * width > MAX_HEAP_ELEMENTS) {
            throw new CheckpointException(file, "part " + part + " of tensor '" + name + "' (shape "
                    + info.shapeString() + ") has more elements than a Java array holds; store it split in parts");
        }
        checkOpen(name);
        DType dtype = info.dtype();
        long size = dtype.byteSize();
        int w = (int) width;
        int n = (int) rows;
        float[] out = new float[n * w];
        for (int r = 0; r < n; r++) {
            long at = info.start() + ((long) r * cols + part * width) * size;
            if (!transposed && dtype == DType.F32) {
                MemorySegment.copy(mapped, F32, at, out, r * w, w);
            } else if (!transposed) {
                for (int c = 0; c < w; c++) {
                    out[r * w + c] = floatAt(dtype, at + c * size);
                }
            } else if (dtype == DType.F32) {
                for (int c = 0; c < w; c++) {
                    out[c * n + r] = mapped.get(F32, at + 4L * c);
                }
            } else {
                for (int c = 0; c < w; c++) {
                    out[c * n + r] = floatAt(dtype, at + c * size);
                }
            }
        }
        return out;
    }

    /** Integer data of type I32, or of a narrower integer type or BOOL (widened), row-major. */
    public int[] ints(String name) {
        TensorInfo info = info(name);
        DType dtype = info.dtype();
        boolean fits = dtype == DType.BOOL || (dtype.isInteger() && dtype.byteSize() <= 4 && dtype != DType.U32);
        if (!fits) {
            throw wrongType(info, "ints()", dtype.isInteger() ? "its values may not fit in an int: use longs()"
                    : "use tensor() for float data");
        }
        int n = heapCount(info);
        checkOpen(name);
        int[] out = new int[n];
        if (dtype == DType.I32) {
            MemorySegment.copy(mapped, I32, info.start(), out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (int) integerAt(dtype, info.start() + (long) i * dtype.byteSize());
            }
        }
        return out;
    }

    /** Integer data of any integer type or BOOL as longs, row-major; U64 values must be below 2^63. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        DType dtype = info.dtype();
        if (!dtype.isInteger() && dtype != DType.BOOL) {
            throw wrongType(info, "longs()", "use tensor() for float data");
        }
        int n = heapCount(info);
        checkOpen(name);
        long[] out = new long[n];
        if (dtype == DType.I64 || dtype == DType.U64) {
            MemorySegment.copy(mapped, I64, info.start(), out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = integerAt(dtype, info.start() + (long) i * dtype.byteSize());
            }
        }
        if (dtype == DType.U64) {
            for (int i = 0; i < n; i++) {
                if (out[i] < 0) {
                    throw new CheckpointException(file, "tensor '" + name + "' (U64): element " + i + " is "
                            + Long.toUnsignedString(out[i]) + ", above the largest long; read it through segment()");
                }
            }
        }
        return out;
    }

    /** The bytes of a one-byte-per-element tensor (U8, I8, BOOL, F8_*), row-major, as stored. */
    public byte[] bytes(String name) {
        TensorInfo info = info(name);
        if (info.dtype().byteSize() != 1) {
            throw wrongType(info, "bytes()", "it has " + info.dtype().byteSize() + " bytes per element: use "
                    + (info.dtype().isFloatingPoint() ? "tensor()" : "ints() or longs()")
                    + ", or segment() for raw bytes");
        }
        int n = heapCount(info);
        checkOpen(name);
        byte[] out = new byte[n];
        MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, info.start(), out, 0, n);
        return out;
    }

    /** Every tensor as float32, in header order. */
    public LinkedHashMap<String, Tensor> readAll() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            out.put(name, tensor(name));
        }
        return out;
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ---------------------------------------------------------------- conversion

    /** F32 in bulk, the 16-bit floats in their own loops, the rarer types element by element. */
    private float[] floats(TensorInfo info, int n) {
        checkOpen(info.name());
        DType dtype = info.dtype();
        long o = info.start();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(mapped, F32, o, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(mapped.get(I16, o + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = NarrowFloats.fromBF16(mapped.get(I16, o + 2L * i));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = floatAt(dtype, o + (long) i * dtype.byteSize());
                }
            }
        }
        return out;
    }

    /** The element of type {@code dtype} at file offset {@code at}, as the nearest float. */
    private float floatAt(DType dtype, long at) {
        return switch (dtype) {
            case F32 -> mapped.get(F32, at);
            case F64 -> (float) mapped.get(F64, at);
            case F16 -> Float.float16ToFloat(mapped.get(I16, at));
            case BF16 -> NarrowFloats.fromBF16(mapped.get(I16, at));
            case F8_E5M2 -> NarrowFloats.fromF8E5M2(mapped.get(ValueLayout.JAVA_BYTE, at));
            case F8_E4M3 -> NarrowFloats.fromF8E4M3(mapped.get(ValueLayout.JAVA_BYTE, at));
            case BOOL -> mapped.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1f : 0f;
            case U64 -> unsignedToFloat(mapped.get(I64, at));
            case I8, U8, I16, U16, I32, U32, I64 -> (float) integerAt(dtype, at);
        };
    }

    /** The element of integer type (or BOOL) {@code dtype} at file offset {@code at}; U64 as its raw bits. */
    private long integerAt(DType dtype, long at) {
        return switch (dtype) {
            case BOOL, I8 -> mapped.get(ValueLayout.JAVA_BYTE, at);
            case U8 -> mapped.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            case I16 -> mapped.get(I16, at);
            case U16 -> mapped.get(I16, at) & 0xFFFF;
            case I32 -> mapped.get(I32, at);
            case U32 -> mapped.get(I32, at) & 0xFFFF_FFFFL;
            case I64, U64 -> mapped.get(I64, at);
            case F8_E5M2, F8_E4M3, F16, BF16, F32, F64 ->
                    throw new IllegalStateException(dtype + " is not an integer type");
        };
    }

    private static float unsignedToFloat(long v) {
        // Halve (keeping the low bit so rounding stays correct), convert, double.
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }

    private int heapCount(TensorInfo info) {
        long n = info.numel();
        if (n > MAX_HEAP_ELEMENTS) {
            throw new CheckpointException(file, "tensor '" + info.name() + "' (" + info.dtype() + ", shape "
                    + info.shapeString() + ") has " + n + " elements, more than a Java array holds ("
                    + MAX_HEAP_ELEMENTS + "); read its bytes through segment(\"" + info.name()
                    + "\") or store it split in parts");
        }
        return (int) n;
    }

    private int[] heapDims(TensorInfo info) {
        long[] shape = info.shape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > MAX_HEAP_ELEMENTS) {
                throw new CheckpointException(file, "tensor '" + info.name() + "' has shape " + info.shapeString()
                        + ", whose dimension " + i + " is too large for a heap tensor; read it through segment()");
            }
            dims[i] = (int) shape[i];
        }
        return dims;
    }

    private void checkOpen(String name) {
        if (!arena.scope().isAlive()) {
            throw new CheckpointException(file, "was closed before tensor '" + name + "' was read; read tensors"
                    + " inside the try-with-resources block that opened it");
        }
    }

    private CheckpointException wrongType(TensorInfo info, String method, String advice) {
        return new CheckpointException(file, "tensor '" + info.name() + "' is " + info.dtype() + ", which " + method
                + " does not read; " + advice);
    }

    static String formatShape(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    // ---------------------------------------------------------------- header

    /** Parses and validates the header of a mapped file into tensor infos and metadata. */
    private static final class HeaderReader {
        private static final ObjectMapper JSON =
                JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
        private static final String DAMAGED = "the file is damaged or was not written to the safetensors spec";

        private final Path file;
        private final MemorySegment mapped;
        private final LinkedHashMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        private final Set<String> keys = new HashSet<>();
        private long dataStart;
        private long dataSize;

        HeaderReader(Path file, MemorySegment mapped) {
            this.file = file;
            this.mapped = mapped;
        }

        void read() {
            long size = mapped.byteSize();
            long n = mapped.get(I64, 0);
            if (n < 0 || n > SafeTensorsWriter.MAX_HEADER_BYTES) {
                throw fail("its first 8 bytes give a header length of " + Long.toUnsignedString(n) + " bytes, over the"
                        + " format's limit of 100 MB (" + SafeTensorsWriter.MAX_HEADER_BYTES + "): it is not a"
                        + " safetensors file, or its start is damaged");
            }
            if (n > size - 8) {
                throw fail("its first 8 bytes give a header length of " + n + " bytes but only " + (size - 8)
                        + " bytes follow them: the file is truncated or is not a safetensors file");
            }
            dataStart = 8 + n;
            dataSize = size - dataStart;
            String json = decodeUtf8(mapped.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
            if (json.isEmpty() || json.charAt(0) != '{') {
                String start = json.substring(0, Math.min(20, json.length()));
                throw fail("the header should be a JSON object starting with '{' but starts with \"" + start + "\": "
                        + "it is not a safetensors file");
            }
            parse(json);
            checkCoverage();
        }

        private String decodeUtf8(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
            } catch (CharacterCodingException e) {
                throw fail("the header is not valid UTF-8 (bad byte at file offset " + (8 + in.position()) + "): "
                        + DAMAGED);
            }
        }

        private void parse(String json) {
            try (JsonParser p = JSON.createParser(json)) {
                p.nextToken(); // START_OBJECT: the first character is '{'
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    JsonNode value = readValue(p, key);
                    if (!keys.add(key)) {
                        throw fail("the header lists '" + key + "' twice (a JSON reader would silently keep one"
                                + " of them): " + DAMAGED);
                    }
                    if (key.equals("__metadata__")) {
                        readMetadata(value);
                    } else {
                        TensorInfo info = readEntry(key, value);
                        tensors.put(key, info);
                    }
                }
                if (p.nextToken() != null) {
                    throw fail("the header has more after its closing '}' (at character "
                            + p.currentTokenLocation().getCharOffset() + "): " + DAMAGED);
                }
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                throw new CheckpointException(file, "the header is not valid JSON"
                        + (at != null ? " (at character " + at.getCharOffset() + ")" : "") + ": "
                        + e.getOriginalMessage() + "; " + DAMAGED, e);
            } catch (IOException e) {
                throw new CheckpointException(file, "the header could not be parsed: " + e.getMessage(), e);
            }
        }

        /** The value of top-level {@code key}; a field repeated inside it is an error, not last-one-wins. */
        private JsonNode readValue(JsonParser p, String key) throws IOException {
            try {
                return JSON.readTree(p);
            } catch (MismatchedInputException e) { // FAIL_ON_READING_DUP_TREE_KEY
                String why = e.getOriginalMessage();
                int cut = why.indexOf(" for `");
                throw fail("the header entry of '" + key + "' has a field twice (" + (cut > 0 ? why.substring(0, cut)
                        : why) + "): " + DAMAGED);
            }
        }

        private void readMetadata(JsonNode value) {
            if (!value.isObject()) {
                throw fail("the header's __metadata__ is " + describe(value) + ", not an object of strings");
            }
            if (value.isEmpty()) {
                return;
            }
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                if (!e.getValue().isTextual()) {
                    throw fail("__metadata__ value for '" + e.getKey() + "' is " + describe(e.getValue())
                            + ", not a string (the format allows only string values; store numbers as text)");
                }
                metadata.put(e.getKey(), e.getValue().textValue());
            }
        }

        private TensorInfo readEntry(String name, JsonNode entry) {
            String what = "tensor '" + name + "'";
            if (!entry.isObject()) {
                throw fail(what + ": its header entry is " + describe(entry) + ", not an object with dtype, shape"
                        + " and data_offsets");
            }
            JsonNode dtypeNode = require(what, entry, "dtype");
            if (!dtypeNode.isTextual()) {
                throw fail(what + ": dtype is " + describe(dtypeNode) + ", not a string such as \"F32\"");
            }
            DType dtype = DType.fromSpecName(dtypeNode.textValue()).orElseThrow(() -> fail(what + " has dtype '"
                    + dtypeNode.textValue() + "', which Hearth cannot read (it reads " + DType.knownNames() + ")"));
            long[] shape = longs(what, "shape", require(what, entry, "shape"), -1);
            for (long d : shape) {
                if (d < 0) {
                    throw fail(what + " has a negative dimension in shape " + Arrays.toString(shape) + ": " + DAMAGED);
                }
            }
            long[] offsets = longs(what, "data_offsets", require(what, entry, "data_offsets"), 2);
            for (long o : offsets) {
                if (o < 0) {
                    throw fail(what + " has a negative data offset in " + Arrays.toString(offsets) + ": " + DAMAGED);
                }
            }
            long begin = offsets[0];
            long end = offsets[1];
            if (end < begin) {
                throw fail(what + " has data_offsets [" + begin + ", " + end + ") that end before they begin: "
                        + DAMAGED);
            }
            long expected;
            try {
                long numel = 1;
                for (long d : shape) {
                    numel = Math.multiplyExact(numel, d);
                }
                expected = Math.multiplyExact(numel, dtype.byteSize());
            } catch (ArithmeticException e) {
                throw fail(what + " (" + dtype + ", shape " + formatShape(shape) + ") would take more than 2^63 bytes: "
                        + DAMAGED);
            }
            if (end - begin != expected) {
                throw fail(what + " (" + dtype + ", shape " + formatShape(shape) + ") should take " + expected
                        + " bytes but data_offsets [" + begin + ", " + end + ") give " + (end - begin) + ": "
                        + DAMAGED);
            }
            if (end > dataSize) {
                throw fail(what + " needs bytes " + begin + ".." + end + " of the data buffer but the file ends at data"
                        + " byte " + dataSize + ": the file is truncated; download or save it again");
            }
            return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
        }

        /** The tensors, sorted by offset, must tile the data buffer exactly. */
        private void checkCoverage() {
            List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
            byOffset.sort(Comparator.comparingLong(TensorInfo::start).thenComparingLong(TensorInfo::end));
            long covered = 0; // data-buffer offset up to which the tensors so far reach
            TensorInfo previous = null;
            for (TensorInfo t : byOffset) {
                long begin = t.start() - dataStart;
                if (begin > covered) {
                    String where = previous == null ? " before tensor '" + t.name() + "'"
                            : " between tensors '" + previous.name() + "' and '" + t.name() + "'";
                    throw fail("data bytes " + covered + ".." + begin + where
                            + " belong to no tensor (the format allows no gaps): " + DAMAGED);
                }
                if (begin < covered) {
                    throw fail("tensors '" + previous.name() + "' (data bytes " + range(previous) + ") and '" + t.name()
                            + "' (data bytes " + range(t) + ") overlap: " + DAMAGED);
                }
                covered = t.end() - dataStart;
                previous = t;
            }
            if (covered != dataSize) {
                throw fail("the data buffer holds " + dataSize + " bytes but the tensors cover only " + covered
                        + (previous == null ? "" : " (the last, '" + previous.name() + "', ends there)")
                        + ": the " + (dataSize - covered) + " bytes after it belong to no tensor; " + DAMAGED);
            }
        }

        private String range(TensorInfo t) {
            return (t.start() - dataStart) + ".." + (t.end() - dataStart);
        }

        private JsonNode require(String what, JsonNode entry, String field) {
            JsonNode v = entry.get(field);
            if (v == null) {
                throw fail(what + " has no \"" + field + "\" in its header entry (it needs dtype, shape and"
                        + " data_offsets): " + DAMAGED);
            }
            return v;
        }

        /** A JSON array of whole numbers (of exactly {@code length} items unless it is -1). */
        private long[] longs(String what, String field, JsonNode node, int length) {
            if (!node.isArray() || (length >= 0 && node.size() != length)) {
                throw fail(what + ": " + field + " is " + node + ", not " + (length >= 0 ? "a list of " + length
                        : "a list of") + " whole numbers: " + DAMAGED);
            }
            long[] out = new long[node.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = node.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw fail(what + ": " + field + " " + node + " holds " + v + ", which is not a whole number"
                            + " below 2^63: " + DAMAGED);
                }
                out[i] = v.longValue();
            }
            return out;
        }

        private static String describe(JsonNode v) {
            String type = v.getNodeType().name().toLowerCase(Locale.ROOT);
            return (type.matches("[aeiou].*") ? "an " : "a ") + type + " (" + abbreviate(v.toString()) + ")";
        }

        private static String abbreviate(String s) {
            return s.length() <= 40 ? s : s.substring(0, 37) + "...";
        }

        private CheckpointException fail(String problem) {
            return new CheckpointException(file, problem);
        }
    }
}
