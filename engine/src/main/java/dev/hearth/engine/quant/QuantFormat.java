package dev.hearth.engine.quant;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The storage formats of quantized weight matrices (rows = output features, columns = input
 * features, quantized along the columns):
 *
 * <ul>
 *   <li>{@link #Q8_0}: llama.cpp's block_q8_0, blocks of 32 columns, each an fp16 scale and 32
 *       int8 values (34 bytes, 8.5 bits per weight);</li>
 *   <li>{@link #Q4_0}: llama.cpp's block_q4_0, blocks of 32 columns, each an fp16 scale and 16
 *       bytes holding element j in the low nibble of byte j and element j+16 in the high nibble,
 *       value = (nibble - 8) * scale (18 bytes, 4.5 bits per weight);</li>
 *   <li>{@link #INT8}: per-channel int8, one fp32 scale per row and one int8 per weight;</li>
 *   <li>{@link #Q4_K}: llama.cpp's block_q4_K, super-blocks of 256 columns, each an fp16 scale and
 *       an fp16 min scale, 8 six-bit scales and mins (one per sub-block of 32, 12 bytes) and 128
 *       bytes of 4-bit values, value = d * sc * q - dmin * m (144 bytes, 4.5 bits per weight).</li>
 * </ul>
 */
public enum QuantFormat {
    Q8_0("q8_0", 32, 34),
    Q4_0("q4_0", 32, 18),
    INT8("int8", 32, 32),
    Q4_K("q4_k", 256, 144);

    /**
     * Columns per activation block, and so the least block of every format: the activations are
     * quantized in blocks of 32, and every format's input width is a multiple of its own
     * {@link #blockSize()}, itself a multiple of 32.
     */
    public static final int BLOCK = 32;

    private final String id;
    private final int blockSize;
    private final int bytesPerBlock;

    QuantFormat(String id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /** Columns per block of this format: 32, or 256 for the super-blocks of Q4_K. Input widths must be a multiple. */
    public int blockSize() {
        return blockSize;
    }

    /** The name used on the command line and in config.json: "q8_0", "q4_0", "int8", "q4_k". */
    public String id() {
        return id;
    }

    /** Bytes one row of {@code cols} columns takes (int8: without its fp32 scale). */
    public int rowBytes(int cols) {
        return cols / blockSize * bytesPerBlock;
    }

    /** The format named {@code id} (case-insensitive), or a clear error listing the known ones. */
    public static QuantFormat parse(String id) {
        for (QuantFormat f : values()) {
            if (f.id.equals(id == null ? null : id.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new QuantizationException("unknown quantization format '" + id + "'; use one of "
                + Arrays.stream(values()).map(QuantFormat::id).collect(Collectors.joining(", ")));
    }
}
