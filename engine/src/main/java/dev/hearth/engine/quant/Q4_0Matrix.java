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
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q4_0: each row is cols / 32 blocks, each exactly ggml's {@code block_q4_0} (an fp16
 * scale d, then 16 bytes qs; element j of the block is the low nibble of qs[j], element j + 16 its
 * high nibble); weight = (nibble - 8) * d. Quantization rounds as {@code quantize_row_q4_0_ref}:
 * m = the element of largest magnitude (the first one on a tie), d = m / -8,
 * nibble = min(15, (int) (x * (1 / d) + 8.5)).
 *
 * <p>In memory the scales and the nibbles are kept apart, so that a row's nibbles are one
 * contiguous run the kernels stream through; ggml's interleaved bytes (18 per block: d
 * little-endian, then qs0..qs15) are made only on the way in and out ({@link #ofBlocks},
 * {@link #blocks}). Same bytes in all.
 *
 * <pre>
 * qs (rows, cols / 2) packed nibbles, 16 bytes per block      d (rows, cols / 32) fp16 bits
 * </pre>
 */
public final class Q4_0Matrix implements QuantizedMatrix {
    static final int BLOCK_BYTES = 18;
    private static final int HALF = BLOCK / 2;

    private final int rows;
    private final int cols;
    private final int blocks;     // per row
    private final byte[] qs;      // (rows, cols / 2)
    private final short[] d;      // (rows, blocks)

    private Q4_0Matrix(int rows, int cols, byte[] qs, short[] d) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.qs = qs;
        this.d = d;
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Q4_0Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q4_0);
        int blocks = cols / BLOCK;
        byte[] qs = new byte[rows * cols / 2];
        short[] d = new short[rows * blocks];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int x = off + r * cols + b * BLOCK;
                float amax = 0f;
                float max = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    if (amax < Math.abs(w[x + j])) {
                        amax = Math.abs(w[x + j]);
                        max = w[x + j];
                    }
                }
                float scale = max / -8f;
                float id = scale != 0f ? 1f / scale : 0f;
                d[r * blocks + b] = Rounding.fp16(scale);
                int o = (r * blocks + b) * HALF;
                for (int j = 0; j < HALF; j++) {
                    int lo = Math.min(15, (byte) (int) (w[x + j] * id + 8.5f));
                    int hi = Math.min(15, (byte) (int) (w[x + HALF + j] * id + 8.5f));
                    qs[o + j] = (byte) (lo | (hi << 4));
                }
            }
        }
        return new Q4_0Matrix(rows, cols, qs, d);
    }

    /** A matrix over packed blocks as llama.cpp writes them ({@code rows * cols / 32 * 18} bytes). */
    public static Q4_0Matrix ofBlocks(byte[] blocks, int rows, int cols) {
        return ofBlocks(MemorySegment.ofArray(blocks), rows, cols);
    }

    /**
     * A matrix over packed blocks read straight from {@code blocks} (e.g. a tensor of a
     * memory-mapped model file): split into values and scales on the heap, nothing else copied.
     */
    public static Q4_0Matrix ofBlocks(MemorySegment blocks, int rows, int cols) {
        QuantizedMatrix.checkBlockBytes(blocks.byteSize(), rows, cols, QuantFormat.Q4_0, BLOCK_BYTES);
        byte[] qs = new byte[rows * cols / 2];
        short[] d = new short[rows * (cols / BLOCK)];
        QuantizedMatrix.splitBlocks(blocks, HALF, d, qs);
        return new Q4_0Matrix(rows, cols, qs, d);
    }

    /** The packed blocks: exactly the bytes of a GGUF Q4_0 tensor of this shape. */
    public byte[] blocks() {
        return QuantizedMatrix.joinBlocks(d, qs, HALF);
    }

    @Override
    public QuantFormat format() {
        return QuantFormat.Q4_0;
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
        return qs.length + 2L * d.length;
    }

    private static final short LOW = 0x0F;
    private static final short EIGHT = 8;

    @Override
    public void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        for (int j = j0; j < j1; j++) {
            int wo = j * blocks * HALF;
            int xo = i * cols;
            int xso = i * blocks;
            FloatVector acc = FloatVector.zero(F256);
            for (int b = 0; b < blocks; b++, wo += HALF, xo += BLOCK) {
                ShortVector packed = widen(qs, wo);
                ShortVector w0 = packed.and(LOW).sub(EIGHT);
                ShortVector w1 = packed.lanewise(VectorOperators.ASHR, 4).and(LOW).sub(EIGHT);
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
            int wo = j * blocks * HALF;
            int xo = i * cols;
            int xso = i * blocks;
            FloatVector a0 = FloatVector.zero(F256);
            FloatVector a1 = a0;
            for (int b = 0; b < blocks; b++, wo += HALF, xo += BLOCK) {
                ShortVector packed = widen(qs, wo);                     // sign-extended; the masks undo it
                ShortVector w0 = packed.and(LOW).sub(EIGHT);                   // elements 0..15
                ShortVector w1 = packed.lanewise(VectorOperators.ASHR, 4).and(LOW).sub(EIGHT); // 16..31
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
            int wo = (row * blocks + b) * HALF;
            int xo = xRow * cols + b * BLOCK;
            int isum = 0;
            for (int j = 0; j < HALF; j++) {
                int v = qs[wo + j] & 0xFF;
                isum += ((v & 0x0F) - 8) * xq[xo + j] + ((v >> 4) - 8) * xq[xo + HALF + j];
            }
            sum += isum * (Float.float16ToFloat(d[row * blocks + b]) * xs[xRow * blocks + b]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < blocks; b++) {
            int wo = (row * blocks + b) * HALF;
            float scale = Float.float16ToFloat(d[row * blocks + b]);
            for (int j = 0; j < HALF; j++) {
                int v = qs[wo + j] & 0xFF;
                out[off + b * BLOCK + j] = ((v & 0x0F) - 8) * scale;
                out[off + b * BLOCK + HALF + j] = ((v >> 4) - 8) * scale;
            }
        }
    }
}
