package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.QuantFormat.BLOCK;

import dev.hearth.engine.tensor.ShapeException;

/**
 * Rows of activations quantized on the fly to 8-bit blocks, the other operand of every quantized
 * dot product: per block of 32 columns a float scale {@code d = max|x| / 127} and 32 int8 values
 * {@code round(x / d)} (rounded as llama.cpp's {@code quantize_row_q8_0_ref}; the scale is kept
 * in fp32 rather than fp16, which loses nothing for a short-lived operand).
 *
 * <pre>
 * q      (rows, cols)          int8 values in [-127, 127], held as shorts, row-major
 * scales (rows, cols / 32)     fp32
 * qsums  (rows, cols / 32)     int: the sum of the block's 32 int8 values (Q4_0's offset of 8, Q4_K's mins)
 * </pre>
 */
public final class Q8Activations {
    private final int rows;
    private final int cols;
    private final short[] q;      // (rows, cols), int8 values widened to shorts once for the kernels
    private final float[] scales; // (rows, cols / 32)
    private final int[] qsums;    // (rows, cols / 32)

    private Q8Activations(int rows, int cols, short[] q, float[] scales, int[] qsums) {
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.scales = scales;
        this.qsums = qsums;
    }

    /** Quantizes {@code rows} rows of {@code cols} floats starting at {@code x[off]}, rows {@code cols} apart. */
    public static Q8Activations quantize(float[] x, int off, int rows, int cols) {
        if (cols % BLOCK != 0) {
            throw new ShapeException("quantized activations need a width that is a multiple of " + BLOCK + ", not "
                    + cols);
        }
        int blocks = cols / BLOCK;
        short[] q = new short[rows * cols];
        float[] scales = new float[rows * blocks];
        int[] qsums = new int[rows * blocks];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int o = off + r * cols + b * BLOCK;
                float amax = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    amax = Math.max(amax, Math.abs(x[o + j]));
                }
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                scales[r * blocks + b] = d;
                int qo = r * cols + b * BLOCK;
                int sum = 0;
                for (int j = 0; j < BLOCK; j++) {
                    q[qo + j] = (short) Rounding.roundf(x[o + j] * id);
                    sum += q[qo + j];
                }
                qsums[r * blocks + b] = sum;
            }
        }
        return new Q8Activations(rows, cols, q, scales, qsums);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /**
     * The int8 values as shorts (every dot product widens them; doing it once here saves that
     * in every weight row), (rows, cols) row-major; shared, not copied: kernels read it, nobody
     * writes it.
     */
    short[] values() {
        return q;
    }

    /** The block scales, (rows, cols / 32); shared as {@link #values()}. */
    float[] scales() {
        return scales;
    }

    /** Per block, the sum of its 32 int8 values, (rows, cols / 32); shared as {@link #values()}. */
    int[] blockSums() {
        return qsums;
    }

    /** The value the quantized activation stands for at (row, col). */
    public float get(int row, int col) {
        return q[row * cols + col] * scales[row * (cols / BLOCK) + col / BLOCK];
    }
}
