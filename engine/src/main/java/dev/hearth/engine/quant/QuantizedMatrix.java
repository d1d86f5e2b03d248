package dev.hearth.engine.quant;

import dev.hearth.engine.tensor.Tensor;

/**
 * A weight matrix (rows = output features, cols = input features) kept quantized: the weight of
 * a {@code Linear} layer or an embedding table at inference. It never expands itself to a float
 * matrix except when asked to ({@link #dequantize()}, for tests and exports); the products read the
 * packed rows directly. Each format is one class with immutable fields.
 */
public sealed interface QuantizedMatrix permits Q8_0Matrix, Q4_0Matrix, Int8Matrix, Q4_KMatrix {

    QuantFormat format();

    /** Output features. */
    int rows();

    /** Input features (a multiple of the format's block size: 32, or 256 for Q4_K). */
    int cols();

    /** Bytes the matrix takes (its packed rows and scales). */
    long byteSize();

    /**
     * How many weight rows the kernels compute together (1, or a format's interleaved group):
     * callers that split the rows over threads cut at multiples of it, so that no group is
     * computed twice.
     */
    default int rowGroup() {
        return 1;
    }

    /**
     * The products of weight rows {@code j0..j1} with activation row {@code i} of {@code x}:
     * {@code y[yOff + i * rows() + j]}. Integer products within each block of 32, scaled by the
     * weight's and the activation's block scales. The fast path (Vector API) of decoding.
     *
     * <p>Each kernel holds exactly one vector loop, and the one-row and the two-row kernels are
     * separate methods, called from separate parallel loops ({@code QuantizedMatMul}): one method
     * holding both loops grew past C2's node budget once prompts and decoding had both run, and
     * C2 then left Vector API calls as plain Java (decoding after a 128-token prompt ran at a
     * sixth of its speed).
     */
    void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff);

    /**
     * As {@link #productRow} for activation rows {@code i} and {@code i + 1} at once: each weight
     * block is unpacked once for both (prompts).
     */
    void productPair(Q8Activations x, int i, int j0, int j1, float[] y, int yOff);

    /**
     * The dot product of weight row {@code row} with activation row {@code xRow}, in plain scalar
     * loops: the reference {@link #product} is tested against.
     */
    float dotReference(int row, Q8Activations x, int xRow);

    /** Row {@code row} as floats, into {@code out[off..off+cols)}. */
    void dequantizeRow(int row, float[] out, int off);

    /** The whole matrix as floats (rows, cols): for tests and exports, never for inference. */
    default Tensor dequantize() {
        float[] out = new float[rows() * cols()];
        for (int r = 0; r < rows(); r++) {
            dequantizeRow(r, out, r * cols());
        }
        return Tensor.of(out, rows(), cols());
    }

    /** Quantizes a float matrix (rows, cols), contiguous, into {@code format}, rounding as llama.cpp does. */
    static QuantizedMatrix quantize(QuantFormat format, float[] w, int off, int rows, int cols) {
        checkWidth(cols, format);
        return switch (format) {
            case Q8_0 -> Q8_0Matrix.quantize(w, off, rows, cols);
            case Q4_0 -> Q4_0Matrix.quantize(w, off, rows, cols);
            case INT8 -> Int8Matrix.quantize(w, off, rows, cols);
            case Q4_K -> Q4_KMatrix.quantize(w, off, rows, cols);
        };
    }

    /** Quantizes a (rows, cols) tensor. */
    static QuantizedMatrix quantize(QuantFormat format, Tensor w) {
        if (w.rank() != 2) {
            throw new QuantizationException("only matrices are quantized; this tensor has shape " + w.shape());
        }
        Tensor c = w.contiguous();
        return quantize(format, c.data(), c.offset(), c.dim(0), c.dim(1));
    }

    /** Throws unless {@code have} bytes are {@code rows * cols / blockSize} blocks of {@code blockBytes}, as llama.cpp writes them. */
    static void checkBlockBytes(long have, int rows, int cols, QuantFormat format, int blockBytes) {
        checkWidth(cols, format);
        long expected = (long) rows * (cols / format.blockSize()) * blockBytes;
        if (have != expected) {
            throw new QuantizationException("a " + format.id() + " matrix of " + rows + " x " + cols + " takes "
                    + expected + " bytes, not " + have);
        }
        if (expected > Integer.MAX_VALUE - 8) {
            throw new QuantizationException("a " + format.id() + " matrix of " + rows + " x " + cols + " takes "
                    + expected + " bytes, more than one Java array holds; split it");
        }
    }

    /** Throws unless {@code cols} is a positive multiple of the format's block size (32, or 256 for Q4_K). */
    static void checkWidth(int cols, QuantFormat format) {
        if (cols <= 0 || cols % format.blockSize() != 0) {
            throw new QuantizationException(format.id() + " needs an input width that is a multiple of "
                    + format.blockSize() + "; this matrix has " + cols + " columns");
        }
    }
}
