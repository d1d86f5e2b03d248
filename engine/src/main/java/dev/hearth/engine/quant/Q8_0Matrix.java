package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.QuantFormat.BLOCK;
import static dev.hearth.engine.quant.RowGroups.F;
import static dev.hearth.engine.quant.RowGroups.FP16;
import static dev.hearth.engine.quant.RowGroups.G;
import static dev.hearth.engine.quant.RowGroups.H;
import static dev.hearth.engine.quant.RowGroups.I;
import static dev.hearth.engine.quant.RowGroups.S;
import static dev.hearth.engine.quant.RowGroups.SIGN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q8_0: each row is cols / 32 blocks, each exactly ggml's {@code block_q8_0} (an fp16
 * scale d, then 32 int8 values q); weight = q * d. Quantization rounds as
 * {@code quantize_row_q8_0_ref}: d = max|x| / 127, q = roundf(x * (1 / d)).
 *
 * <p>In memory the rows are interleaved in groups of G ({@link RowGroups}: 32 with AVX-512, 16
 * with AVX2), so that one vector holds the same two values of G rows and the kernels compute G
 * outputs side by side, each lane one row, with no sum across lanes. Row r's short {@code k} of a
 * block holds its values 2k (low byte) and 2k + 1 (high byte). ggml's bytes (34 per block: d
 * little-endian, then q0..q31, row after row) are made only on the way in and out
 * ({@link #ofBlocks}, {@link #blocks}). The last group is padded with rows of zeros.
 *
 * <pre>
 * q (groups, cols / 32, 16, G)   shorts: 2 int8 values of one row each      d (groups, cols / 32, G) fp16 bits
 * </pre>
 *
 * <p>The dot product with activations quantized to int8 is, per block, the integer sum of the 32
 * products, times d and the activation block's scale, added up over the blocks in order: exactly
 * the reference's operations, so the kernels' results are the reference's to the last bit. Two
 * products fit a 16-bit lane (2 x 127 x 127 < 2^15); the sums over the block run in 32 bits.
 */
public final class Q8_0Matrix implements QuantizedMatrix {
    static final int BLOCK_BYTES = 34;
    private static final int PAIRS = BLOCK / 2;   // shorts per block and row

    private final int rows;
    private final int cols;
    private final int blocks;     // per row
    private final short[] q;      // (groups, blocks, 16, G)
    private final short[] d;      // (groups, blocks, G)

    private Q8_0Matrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.q = new short[RowGroups.groups(rows) * blocks * PAIRS * G];
        this.d = new short[RowGroups.groups(rows) * blocks * G];
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Q8_0Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q8_0);
        Q8_0Matrix m = new Q8_0Matrix(rows, cols);
        byte[] qs = new byte[BLOCK];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < m.blocks; b++) {
                int x = off + r * cols + b * BLOCK;
                float amax = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    amax = Math.max(amax, Math.abs(w[x + j]));
                }
                float scale = amax / 127f;
                float id = scale != 0f ? 1f / scale : 0f;
                for (int j = 0; j < BLOCK; j++) {
                    qs[j] = (byte) Rounding.roundf(w[x + j] * id);
                }
                m.putBlock(r, b, Rounding.fp16(scale), qs);
            }
        }
        return m;
    }

    /** A matrix over packed blocks as llama.cpp writes them ({@code rows * cols / 32 * 34} bytes). */
    public static Q8_0Matrix ofBlocks(byte[] blocks, int rows, int cols) {
        return ofBlocks(MemorySegment.ofArray(blocks), rows, cols);
    }

    /**
     * A matrix over packed blocks read straight from {@code blocks} (e.g. a tensor of a
     * memory-mapped model file), regrouped on the heap; nothing else is copied.
     */
    public static Q8_0Matrix ofBlocks(MemorySegment blocks, int rows, int cols) {
        QuantizedMatrix.checkBlockBytes(blocks.byteSize(), rows, cols, QuantFormat.Q8_0, BLOCK_BYTES);
        Q8_0Matrix m = new Q8_0Matrix(rows, cols);
        byte[] qs = new byte[BLOCK];
        long o = 0;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < m.blocks; b++, o += BLOCK_BYTES) {
                MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, o + 2, qs, 0, BLOCK);
                m.putBlock(r, b, blocks.get(Rounding.FP16, o), qs);
            }
        }
        return m;
    }

    /** Stores block {@code b} of row {@code r}: its fp16 scale (finite) and its 32 values. */
    private void putBlock(int r, int b, short scale, byte[] qs) {
        RowGroups.checkScale(scale, QuantFormat.Q8_0, r, b);
        d[RowGroups.index(r, blocks, b, 1, 0)] = scale;
        for (int k = 0; k < PAIRS; k++) {
            q[RowGroups.index(r, blocks, b, PAIRS, k)] = (short) ((qs[2 * k] & 0xFF) | qs[2 * k + 1] << 8);
        }
    }

    /** Value {@code e} (0..31) of block {@code b} of row {@code r}. */
    private int value(int r, int b, int e) {
        short v = q[RowGroups.index(r, blocks, b, PAIRS, e / 2)];
        return e % 2 == 0 ? (byte) v : v >> 8;
    }

    private float scale(int r, int b) {
        return Float.float16ToFloat(d[RowGroups.index(r, blocks, b, 1, 0)]);
    }

    /** The packed blocks: exactly the bytes of a GGUF Q8_0 tensor of this shape. */
    public byte[] blocks() {
        byte[] out = new byte[rows * blocks * BLOCK_BYTES];
        int o = 0;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++, o += BLOCK_BYTES) {
                Rounding.putFp16(out, o, d[RowGroups.index(r, blocks, b, 1, 0)]);
                for (int e = 0; e < BLOCK; e++) {
                    out[o + 2 + e] = (byte) value(r, b, e);
                }
            }
        }
        return out;
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
        return 2L * q.length + 2L * d.length;
    }

    @Override
    public int rowGroup() {
        return G;
    }

    // written as RowGroups says kernels must be: no helpers, loop vectors only as arguments
    @Override
    public void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        int yo = yOff + i * rows;
        float[] part = null;                         // a group only partly in [j0, j1) goes here first
        for (int g = j0 / G; g * G < j1; g++) {
            boolean whole = RowGroups.whole(g * G, j0, j1);
            float[] dst = whole ? y : (part != null ? part : (part = new float[G]));
            int o = whole ? yo + g * G : 0;
            FloatVector a0 = FloatVector.zero(F);    // rows g*G .. +H
            FloatVector a1 = a0;                     // rows g*G+H .. +G
            for (int b = 0; b < blocks; b++) {
                int wo = (g * blocks + b) * PAIRS * G;
                int xo = i * cols + b * BLOCK;
                ShortVector h = ShortVector.fromArray(S, d, (g * blocks + b) * G);   // fp16 scales, see RowGroups
                IntVector e0 = h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16);   // rows 0..H, fp16 bits on top
                IntVector e1 = h.reinterpretAsInts().and(0xFFFF_0000);                        // rows H..G
                float sx = xs[i * blocks + b];
                FloatVector d0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats().mul(sx);
                FloatVector d1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats().mul(sx);
                IntVector s0 = IntVector.zero(I);  // the block's integer sums, rows 0..H
                IntVector s1 = s0;                            // rows H..G
                for (int k = 0; k < PAIRS; k++, wo += G, xo += 2) {
                    ShortVector w = ShortVector.fromArray(S, q, wo);
                    IntVector p = w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xq[xo])
                            .add(w.lanewise(VectorOperators.ASHR, 8).mul(xq[xo + 1])).reinterpretAsInts();
                    s0 = p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(s0);
                    s1 = p.lanewise(VectorOperators.ASHR, 16).add(s1);
                }
                a0 = ((FloatVector) IntVector.zero(I).add(s0).convert(VectorOperators.I2F, 0)).mul(d0).add(a0);
                a1 = ((FloatVector) IntVector.zero(I).add(s1).convert(VectorOperators.I2F, 0)).mul(d1).add(a1);
            }
            FloatVector.zero(F).add(a0).intoArray(dst, o);
            FloatVector.zero(F).add(a1).intoArray(dst, o + H);
            if (!whole) {
                RowGroups.copyIn(part, 0, y, yo, g * G, j0, j1);
            }
        }
    }

    @Override
    public void productPair(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        int yo = yOff + i * rows;
        float[] part = null;                         // a group only partly in [j0, j1) goes here first
        for (int g = j0 / G; g * G < j1; g++) {
            boolean whole = RowGroups.whole(g * G, j0, j1);
            float[] dst = whole ? y : (part != null ? part : (part = new float[2 * G]));
            int o = whole ? yo + g * G : 0;
            int o2 = whole ? o + rows : G;
            FloatVector a0 = FloatVector.zero(F);    // activation row i
            FloatVector a1 = a0;
            FloatVector c0 = a0;                     // activation row i + 1
            FloatVector c1 = a0;
            for (int b = 0; b < blocks; b++) {
                int wo = (g * blocks + b) * PAIRS * G;
                int xo = i * cols + b * BLOCK;
                ShortVector h = ShortVector.fromArray(S, d, (g * blocks + b) * G);   // fp16 scales, see RowGroups
                IntVector e0 = h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16);   // rows 0..H, fp16 bits on top
                IntVector e1 = h.reinterpretAsInts().and(0xFFFF_0000);                        // rows H..G
                FloatVector h0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats();
                FloatVector h1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats();
                float sx = xs[i * blocks + b];
                float tx = xs[(i + 1) * blocks + b];
                IntVector s0 = IntVector.zero(I);  // activation row i: rows 0..H, H..G
                IntVector s1 = s0;
                IntVector t0 = s0;                            // activation row i + 1
                IntVector t1 = s0;
                for (int k = 0; k < PAIRS; k++, wo += G, xo += 2) {
                    ShortVector w = ShortVector.fromArray(S, q, wo);
                    ShortVector lo = w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                    ShortVector hi = w.lanewise(VectorOperators.ASHR, 8);
                    IntVector p = lo.mul(xq[xo]).add(hi.mul(xq[xo + 1])).reinterpretAsInts();
                    s0 = p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(s0);
                    s1 = p.lanewise(VectorOperators.ASHR, 16).add(s1);
                    IntVector r = lo.mul(xq[xo + cols]).add(hi.mul(xq[xo + cols + 1])).reinterpretAsInts();
                    t0 = r.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t0);
                    t1 = r.lanewise(VectorOperators.ASHR, 16).add(t1);
                }
                a0 = ((FloatVector) IntVector.zero(I).add(s0).convert(VectorOperators.I2F, 0)).mul(h0.mul(sx)).add(a0);
                a1 = ((FloatVector) IntVector.zero(I).add(s1).convert(VectorOperators.I2F, 0)).mul(h1.mul(sx)).add(a1);
                c0 = ((FloatVector) IntVector.zero(I).add(t0).convert(VectorOperators.I2F, 0)).mul(h0.mul(tx)).add(c0);
                c1 = ((FloatVector) IntVector.zero(I).add(t1).convert(VectorOperators.I2F, 0)).mul(h1.mul(tx)).add(c1);
            }
            FloatVector.zero(F).add(a0).intoArray(dst, o);
            FloatVector.zero(F).add(a1).intoArray(dst, o + H);
            FloatVector.zero(F).add(c0).intoArray(dst, o2);
            FloatVector.zero(F).add(c1).intoArray(dst, o2 + H);
            if (!whole) {
                RowGroups.copyIn(part, 0, y, yo, g * G, j0, j1);
                RowGroups.copyIn(part, G, y, yo + rows, g * G, j0, j1);
            }
        }
    }

    @Override
    public float dotReference(int row, Q8Activations x, int xRow) {
        short[] xq = x.values();
        float[] xs = x.scales();
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            int xo = xRow * cols + b * BLOCK;
            int isum = 0;
            for (int e = 0; e < BLOCK; e++) {
                isum += value(row, b, e) * xq[xo + e];
            }
            sum += isum * (scale(row, b) * xs[xRow * blocks + b]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < blocks; b++) {
            float scale = scale(row, b);
            for (int e = 0; e < BLOCK; e++) {
                out[off + b * BLOCK + e] = value(row, b, e) * scale;
            }
        }
    }
}
