package dev.hearth.engine.io;

/**
 * The tensor storage types of ggml that Hearth writes and reads in GGUF files, with ggml's type ids
 * and block sizes: a row of {@code n} elements takes {@code n / blockElements * blockBytes} bytes.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),   // block_q4_0: fp16 d, 16 bytes of nibbles
    Q8_0(8, 32, 34),   // block_q8_0: fp16 d, 32 int8
    Q4_K(12, 256, 144); // block_q4_K: fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles

    private final int id;
    private final int blockElements;
    private final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** ggml's {@code enum ggml_type} value. */
    public int id() {
        return id;
    }

    public int blockElements() {
        return blockElements;
    }

    /** Bytes of {@code elements} elements of this type (a multiple of the block size). */
    public long bytes(long elements) {
        if (elements % blockElements != 0) {
            throw new GgufException("a " + this + " tensor's rows must be a multiple of " + blockElements
                    + " elements long, not " + elements);
        }
        return elements / blockElements * blockBytes;
    }

    /** The type with ggml id {@code id}, or null when Hearth does not know it. */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
