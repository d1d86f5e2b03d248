package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.BlockMath.F256;
import static dev.hearth.engine.quant.BlockMath.pairSum;
import static dev.hearth.engine.quant.BlockMath.shorts;
import static dev.hearth.engine.quant.BlockMath.sumLanes;
import static dev.hearth.engine.quant.BlockMath.widen;
import static dev.hearth.engine.quant.QuantFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * llama.cpp's Q8_0: each row is cols / 32 blocks, each exactly ggml's {@code block_q8_0} (an fp16
 * scale d, then 32 int8 values q); weight = q * d. Quantization rounds as
 * {@code quantize_row_q8_0_ref}: d = max|x| / 127, q = roundf(x * (1 / d)).
 *
 * <p>In memory the scales and the values are kept apart, so that a row's values are one
 * contiguous run the kernels stream through, and ggml's interleaved bytes (34 per block: d
 * little-endian, then q0..q31) are made only on the way in and out ({@link #ofBlocks},
 * {@link #blocks}). Same bytes in all.
 *
 * <pre>
 * q (rows, cols) int8 values      d (rows, cols / 32) fp16 bits
 * </pre>
 */
public final class Q8_0Matrix implements QuantizedMatrix {
    static final int BLOCK_BYTES = 34;

    private final int rows;
    private final int cols;
    private final int blocks;     // per row
    private final byte[] q;       // (rows, cols)
    private final short[] d;      // (rows, blocks)

    private Q8_0Matrix(int rows, int cols, byte[] q, short[] d) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.q = q;
        this.d = d;
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Q8_0Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q8_0);
        int blocks = cols / BLOCK;
        byte[] q = new byte[rows * cols];
        short[] d = new short[rows * blocks];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int x = off + r * cols + b * BLOCK;
                float amax = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    amax = Math.max(amax, Math.abs(w[x + j]));
                }
                float scale = amax / 127f;
                float id = scale != 0f ? 1f / scale : 0f;
                d[r * blocks + b] = Rounding.fp16(scale);
                for (int j = 0; j < BLOCK; j++) {
                    q[r * cols + b * BLOCK + j] = (byte) Rounding.roundf(w[x + j] * id);
                }
            }
        }
        return new Q8_0Matrix(rows, cols, q, d);
    }

    /** A matrix over packed blocks as llama.cpp writes them ({@code rows * cols / 32 * 34} bytes). */
    public static Q8_0Matrix ofBlocks(byte[] blocks, int rows, int cols) {
        return ofBlocks(MemorySegment.ofArray(blocks), rows, cols);
    }

    /**
     * A matrix over packed blocks read straight from {@code blocks} (e.g. a tensor of a
     * memory-mapped model file): split into values and scales on the heap, nothing else copied.
     */
    public static Q8_0Matrix ofBlocks(MemorySegment blocks, int rows, int cols) {
        QuantizedMatrix.checkBlockBytes(blocks.byteSize(), rows, cols, QuantFormat.Q8_0, BLOCK_BYTES);
        byte[] q = new byte[rows * cols];
        short[] d = new short[rows * (cols / BLOCK)];
        QuantizedMatrix.splitBlocks(blocks, BLOCK, d, q);
        return new Q8_0Matrix(rows, cols, q, d);
    }

    /** The packed blocks: exactly the bytes of a GGUF Q8_0 tensor of this shape. */
    public byte[] blocks() {
        return QuantizedMatrix.joinBlocks(d, q, BLOCK);
    }

    @Override
    public QuantFormat format() {
        return QuantFormat.Q8_0;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long byteSize() {
        return q.length + 2L * d.length;
    }

    @Override
    public void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        for (int j = j0; j < j1; j++) {
            int wo = j * cols;
            int xo = i * cols;
            int xso = i * blocks;
            FloatVector acc = FloatVector.zero(F256);
            for (int b = 0; b < blocks; b++, wo += BLOCK, xo += BLOCK) {
                ShortVector w0 = widen(q, wo);
                ShortVector w1 = widen(q, wo + 16);
                ShortVector p = w0.mul(shorts(xq, xo)).add(w1.mul(shorts(xq, xo + 16)));
                acc = pairSum(p).fma(FloatVector.broadcast(F256, Float.float16ToFloat(d[j * blocks + b]) * xs[xso + b]), acc);
            }
            y[yOff + i * rows + j] = sumLanes(acc);
        }
    }

    @Override
    public void productPair(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        for (int j = j0; j < j1; j++) {
            int wo = j * cols;
            int xo = i * cols;
            int xso = i * blocks;
            FloatVector a0 = FloatVector.zero(F256);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++, wo += BLOCK, xo += BLOCK) {
                ShortVector w0 = widen(q, wo);
                ShortVector w1 = widen(q, wo + 16);
                float scale = Float.float16ToFloat(d[j * blocks + b]);
                ShortVector p0 = w0.mul(shorts(xq, xo)).add(w1.mul(shorts(xq, xo + 16)));
                a0 = pairSum(p0).fma(FloatVector.broadcast(F256, scale * xs[xso + b]), a0);
                ShortVector p1 = w0.mul(shorts(xq, xo + cols)).add(w1.mul(shorts(xq, xo + cols + 16)));
                a1 = pairSum(p1).fma(FloatVector.broadcast(F256, scale * xs[xso + blocks + b]), a1);
            }
            y[yOff + i * rows + j] = sumLanes(a0);
            y[yOff + (i + 1) * rows + j] = sumLanes(a1);
        }
    }

    @Override
    public float dotReference(int row, Q8Activations x, int xRow) {
        short[] xq = x.values();
        float[] xs = x.scales();
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            int wo = row * cols + b * BLOCK;
            int xo = xRow * cols + b * BLOCK;
            int isum = 0;
            for (int j = 0; j < BLOCK; j++) {
                isum += q[wo + j] * xq[xo + j];
            }
            sum += isum * (Float.float16ToFloat(d[row * blocks + b]) * xs[xRow * blocks + b]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < blocks; b++) {
            float scale = Float.float16ToFloat(d[row * blocks + b]);
            for (int j = 0; j < BLOCK; j++) {
                out[off + b * BLOCK + j] = q[row * cols + b * BLOCK + j] * scale;
            }
        }
    }
}
