package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.BlockMath.F256;
import static dev.hearth.engine.quant.BlockMath.pairSum;
import static dev.hearth.engine.quant.BlockMath.shorts;
import static dev.hearth.engine.quant.BlockMath.sumLanes;
import static dev.hearth.engine.quant.BlockMath.widen;
import static dev.hearth.engine.quant.QuantFormat.BLOCK;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q8_0: each row is cols / 32 blocks of 34 bytes, exactly ggml's {@code block_q8_0}
 * (an fp16 scale d, little-endian, then 32 int8 values q); weight = q * d. Quantization rounds as
 * {@code quantize_row_q8_0_ref}: d = max|x| / 127, q = roundf(x * (1 / d)).
 *
 * <pre>
 * data (rows, cols / 32, 34) bytes: [d lo, d hi, q0 .. q31] per block
 * </pre>
 */
public final class Q8_0Matrix implements QuantizedMatrix {
    static final int BLOCK_BYTES = 34;

    private final int rows;
    private final int cols;
    private final int blocks;     // per row
    private final byte[] data;    // (rows, blocks, 34)

    private Q8_0Matrix(int rows, int cols, byte[] data) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.data = data;
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Q8_0Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q8_0);
        int blocks = cols / BLOCK;
        byte[] data = new byte[rows * blocks * BLOCK_BYTES];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int x = off + r * cols + b * BLOCK;
                int o = (r * blocks + b) * BLOCK_BYTES;
                float amax = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    amax = Math.max(amax, Math.abs(w[x + j]));
                }
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                Rounding.putFp16(data, o, Rounding.fp16(d));
                for (int j = 0; j < BLOCK; j++) {
                    data[o + 2 + j] = (byte) Rounding.roundf(w[x + j] * id);
                }
            }
        }
        return new Q8_0Matrix(rows, cols, data);
    }

    /** A matrix over packed blocks as llama.cpp writes them ({@code rows * cols / 32 * 34} bytes, copied). */
    public static Q8_0Matrix ofBlocks(byte[] blocks, int rows, int cols) {
        return new Q8_0Matrix(rows, cols, QuantizedMatrix.copyOfBlocks(blocks, rows, cols, QuantFormat.Q8_0, BLOCK_BYTES));
    }

    /**
     * A matrix over packed blocks read straight from {@code blocks} (a tensor of a memory-mapped
     * model file): copied once onto the heap, with the same checks as {@link #ofBlocks(byte[], int, int)}.
     */
    public static Q8_0Matrix ofBlocks(java.lang.foreign.MemorySegment blocks, int rows, int cols) {
        return new Q8_0Matrix(rows, cols, QuantizedMatrix.copyOfBlocks(blocks, rows, cols, QuantFormat.Q8_0, BLOCK_BYTES));
    }

    /** The packed blocks, a copy: exactly the bytes of a GGUF Q8_0 tensor of this shape. */
    public byte[] blocks() {
        return data.clone();
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
        return data.length;
    }

    @Override
    public float dot(int row, Q8Activations x, int xRow) {
        // two blocks per step into two accumulators; the method is kept above C2's inlining size on
        // purpose: inlined into its caller, the Vector API calls hit NodeCountInliningCutoff and ran
        // as plain Java (five times slower)
        short[] xq = x.values();
        float[] xs = x.scales();
        int wo = row * blocks * BLOCK_BYTES;
        int xo = xRow * cols;
        int so = xRow * blocks;
        FloatVector acc0 = FloatVector.zero(F256);
        FloatVector acc1 = acc0;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, wo += 2 * BLOCK_BYTES, xo += 2 * BLOCK) {
            ShortVector p0 = widen(data, wo + 2).mul(shorts(xq, xo)).add(widen(data, wo + 18).mul(shorts(xq, xo + 16)));
            acc0 = pairSum(p0).fma(FloatVector.broadcast(F256, Rounding.fp16At(data, wo) * xs[so + b]), acc0);
            int wo1 = wo + BLOCK_BYTES;
            ShortVector p1 = widen(data, wo1 + 2).mul(shorts(xq, xo + BLOCK))
                    .add(widen(data, wo1 + 18).mul(shorts(xq, xo + BLOCK + 16)));
            acc1 = pairSum(p1).fma(FloatVector.broadcast(F256, Rounding.fp16At(data, wo1) * xs[so + b + 1]), acc1);
        }
        if (b < blocks) {
            ShortVector p = widen(data, wo + 2).mul(shorts(xq, xo)).add(widen(data, wo + 18).mul(shorts(xq, xo + 16)));
            acc0 = pairSum(p).fma(FloatVector.broadcast(F256, Rounding.fp16At(data, wo) * xs[so + b]), acc0);
        }
        return sumLanes(acc0.add(acc1));
    }

    @Override
    public void dot2(int row, Q8Activations x, int xRow, float[] out, int outOff, int outStride) {
        short[] xq = x.values();
        float[] xs = x.scales();
        int wo = row * blocks * BLOCK_BYTES;
        int xo = xRow * cols;
        int so = xRow * blocks;
        FloatVector a0 = FloatVector.zero(F256);
        FloatVector a1 = a0;
        for (int b = 0; b < blocks; b++, wo += BLOCK_BYTES, xo += BLOCK) {
            ShortVector w0 = widen(data, wo + 2);
            ShortVector w1 = widen(data, wo + 18);
            float d = Rounding.fp16At(data, wo);
            ShortVector p0 = w0.mul(shorts(xq, xo)).add(w1.mul(shorts(xq, xo + 16)));
            a0 = pairSum(p0).fma(FloatVector.broadcast(F256, d * xs[so + b]), a0);
            ShortVector p1 = w0.mul(shorts(xq, xo + cols)).add(w1.mul(shorts(xq, xo + cols + 16)));
            a1 = pairSum(p1).fma(FloatVector.broadcast(F256, d * xs[so + blocks + b]), a1);
        }
        out[outOff] = sumLanes(a0);
        out[outOff + outStride] = sumLanes(a1);
    }

    @Override
    public float dotReference(int row, Q8Activations x, int xRow) {
        short[] xq = x.values();
        float[] xs = x.scales();
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            int wo = (row * blocks + b) * BLOCK_BYTES;
            int xo = xRow * cols + b * BLOCK;
            int isum = 0;
            for (int j = 0; j < BLOCK; j++) {
                isum += data[wo + 2 + j] * xq[xo + j];
            }
            sum += isum * (Rounding.fp16At(data, wo) * xs[xRow * blocks + b]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < blocks; b++) {
            int wo = (row * blocks + b) * BLOCK_BYTES;
            float d = Rounding.fp16At(data, wo);
            for (int j = 0; j < BLOCK; j++) {
                out[off + b * BLOCK + j] = data[wo + 2 + j] * d;
            }
        }
    }
}
