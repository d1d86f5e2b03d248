package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.QuantFormat.BLOCK;
import static dev.hearth.engine.quant.RowGroups.F;
import static dev.hearth.engine.quant.RowGroups.FP16;
import static dev.hearth.engine.quant.RowGroups.G;
import static dev.hearth.engine.quant.RowGroups.H;
import static dev.hearth.engine.quant.RowGroups.S;
import static dev.hearth.engine.quant.RowGroups.SIGN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q4_0: each row is cols / 32 blocks, each exactly ggml's {@code block_q4_0} (an fp16
 * scale d, then 16 bytes qs; element j of the block is the low nibble of qs[j], element j + 16 its
 * high nibble); weight = (nibble - 8) * d. Quantization rounds as {@code quantize_row_q4_0_ref}:
 * m = the element of largest magnitude (the first one on a tie), d = m / -8,
 * nibble = min(15, (int) (x * (1 / d) + 8.5)).
 *
 * <p>In memory the rows are interleaved in groups of G ({@link RowGroups}: 32 with AVX-512, 16 with
 * AVX2), so that one vector holds one block's nibbles for G rows and the kernels compute G outputs
 * side by side, each lane one row: no sum across lanes, and each loaded vector serves four
 * multiply-adds. Row r's short {@code k} of a block holds its elements 4k..4k+3, four bits each
 * from the lowest. ggml's bytes (18 per block: d little-endian, then qs0..qs15, row after row) are
 * made only on the way in and out ({@link #ofBlocks}, {@link #blocks}). The last group is padded
 * with rows of zeros (at most G - 1 rows, 16 bytes each per block).
 *
 * <pre>
 * q (groups, cols / 32, 8, G)   shorts: 4 nibbles of one row each      d (groups, cols / 32, G) fp16 bits
 * </pre>
 *
 * <p>The dot product of a row with activations quantized to int8 (x, per-block scale s) is, per
 * block, the integer sum over the 32 elements of (nibble - 8) * x, times d * s, added up over the
 * blocks in order: the kernels compute exactly the reference's operations, so their results are
 * the reference's to the last bit. The integer sum runs in 16-bit lanes: sum(nibble * x) may wrap,
 * but minus 8 * sum(x) it lands on the true value, which is within +-32 * 8 * 127 < 2^15.
 */
public final class Q4_0Matrix implements QuantizedMatrix {
    static final int BLOCK_BYTES = 18;
    private static final int HALF = BLOCK / 2;

    private static final int QUADS = BLOCK / 4;   // shorts per block and row

    private final int rows;
    private final int cols;
    private final int blocks;     // per row
    private final short[] q;      // (groups, blocks, 8, G)
    private final short[] d;      // (groups, blocks, G)

    private Q4_0Matrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.q = new short[RowGroups.groups(rows) * blocks * QUADS * G];
        this.d = new short[RowGroups.groups(rows) * blocks * G];
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Q4_0Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q4_0);
        Q4_0Matrix m = new Q4_0Matrix(rows, cols);
        byte[] qs = new byte[HALF];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < m.blocks; b++) {
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
                for (int j = 0; j < HALF; j++) {
                    int lo = Math.min(15, (byte) (int) (w[x + j] * id + 8.5f));
                    int hi = Math.min(15, (byte) (int) (w[x + HALF + j] * id + 8.5f));
                    qs[j] = (byte) (lo | (hi << 4));
                }
                m.putBlock(r, b, Rounding.fp16(scale), qs, 0);
            }
        }
        return m;
    }

    /** A matrix over packed blocks as llama.cpp writes them ({@code rows * cols / 32 * 18} bytes). */
    public static Q4_0Matrix ofBlocks(byte[] blocks, int rows, int cols) {
        return ofBlocks(MemorySegment.ofArray(blocks), rows, cols);
    }

    /**
     * A matrix over packed blocks read straight from {@code blocks} (e.g. a tensor of a
     * memory-mapped model file), regrouped on the heap; nothing else is copied.
     */
    public static Q4_0Matrix ofBlocks(MemorySegment blocks, int rows, int cols) {
        QuantizedMatrix.checkBlockBytes(blocks.byteSize(), rows, cols, QuantFormat.Q4_0, BLOCK_BYTES);
        Q4_0Matrix m = new Q4_0Matrix(rows, cols);
        byte[] qs = new byte[HALF];
        long o = 0;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < m.blocks; b++, o += BLOCK_BYTES) {
                MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, o + 2, qs, 0, HALF);
                m.putBlock(r, b, blocks.get(Rounding.FP16, o), qs, 0);
            }
        }
        return m;
    }

    /**
     * Stores ggml block {@code b} of row {@code r}: its fp16 scale and its 16 bytes of nibbles
     * from {@code qs[o]}. A scale of infinity or NaN is refused: no finite weights quantize to it,
     * and the kernels' fp16 conversion handles only finite values.
     */
    private void putBlock(int r, int b, short scale, byte[] qs, int o) {
        RowGroups.checkScale(scale, QuantFormat.Q4_0, r, b);
        d[RowGroups.index(r, blocks, b, 1, 0)] = scale;
        for (int k = 0; k < QUADS; k++) {
            int v = 0;
            for (int t = 0; t < 4; t++) {
                v |= nibble(qs, o, 4 * k + t) << (4 * t);
            }
            q[RowGroups.index(r, blocks, b, QUADS, k)] = (short) v;
        }
    }

    /** Element {@code e} (0..31) of a ggml block's 16 bytes at {@code qs[o]}. */
    private static int nibble(byte[] qs, int o, int e) {
        int v = qs[o + e % HALF] & 0xFF;
        return e < HALF ? v & 0x0F : v >> 4;
    }

    /** Element {@code e} of block {@code b} of row {@code r}, 0..15. */
    private int nibble(int r, int b, int e) {
        int v = q[RowGroups.index(r, blocks, b, QUADS, e / 4)];
        return (v >> (4 * (e % 4))) & 0x0F;
    }

    private float scale(int r, int b) {
        return Float.float16ToFloat(d[RowGroups.index(r, blocks, b, 1, 0)]);
    }

    /** The packed blocks: exactly the bytes of a GGUF Q4_0 tensor of this shape. */
    public byte[] blocks() {
        byte[] out = new byte[rows * blocks * BLOCK_BYTES];
        int o = 0;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++, o += BLOCK_BYTES) {
                Rounding.putFp16(out, o, d[RowGroups.index(r, blocks, b, 1, 0)]);
                for (int j = 0; j < HALF; j++) {
                    out[o + 2 + j] = (byte) (nibble(r, b, j) | nibble(r, b, j + HALF) << 4);
                }
            }
        }
        return out;
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
        return 2L * q.length + 2L * d.length;
    }

    @Override
    public int rowGroup() {
        return G;
    }

    private static final short LOW = 0x0F;

    // written as RowGroups says kernels must be: no helpers, loop vectors only as arguments

    @Override
    public void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        int[] xsum = x.blockSums();
        int yo = yOff + i * rows;
        float[] part = null;                         // a group only partly in [j0, j1) goes here first
        for (int g = j0 / G; g * G < j1; g++) {
            boolean whole = RowGroups.whole(g * G, j0, j1);
            float[] dst = whole ? y : (part != null ? part : (part = new float[G]));
            int o = whole ? yo + g * G : 0;
            FloatVector a0 = FloatVector.zero(F);    // rows g*G .. +H
            FloatVector a1 = a0;                     // rows g*G+H .. +G
            for (int b = 0; b < blocks; b++) {
                int wo = (g * blocks + b) * QUADS * G;
                int xo = i * cols + b * BLOCK;
                ShortVector h = ShortVector.fromArray(S, d, (g * blocks + b) * G);   // fp16 scales, see FP16
                IntVector e0 = h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16);   // rows 0..H, fp16 bits on top
                IntVector e1 = h.reinterpretAsInts().and(0xFFFF_0000);                        // rows H..G
                float sx = xs[i * blocks + b];
                FloatVector d0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats().mul(sx);
                FloatVector d1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats().mul(sx);
                ShortVector s = ShortVector.broadcast(S, (short) (-8 * xsum[i * blocks + b]));
                for (int k = 0; k < QUADS; k++, wo += G, xo += 4) {
                    ShortVector w = ShortVector.fromArray(S, q, wo);
                    s = w.and(LOW).mul(xq[xo])
                            .add(w.lanewise(VectorOperators.LSHR, 4).and(LOW).mul(xq[xo + 1]))
                            .add(w.lanewise(VectorOperators.LSHR, 8).and(LOW).mul(xq[xo + 2]))
                            .add(w.lanewise(VectorOperators.LSHR, 12).mul(xq[xo + 3]))
                            .add(s);
                }
                IntVector sum = ShortVector.zero(S).add(s).reinterpretAsInts();
                a0 = ((FloatVector) sum.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).mul(d0).add(a0);
                a1 = ((FloatVector) sum.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(d1).add(a1);
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
        int[] xsum = x.blockSums();
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
                int wo = (g * blocks + b) * QUADS * G;
                int xo = i * cols + b * BLOCK;
                ShortVector h = ShortVector.fromArray(S, d, (g * blocks + b) * G);   // fp16 scales, see FP16
                IntVector e0 = h.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16);   // rows 0..H, fp16 bits on top
                IntVector e1 = h.reinterpretAsInts().and(0xFFFF_0000);                        // rows H..G
                FloatVector h0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats();
                FloatVector h1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats();
                float sx = xs[i * blocks + b];
                float tx = xs[(i + 1) * blocks + b];
                ShortVector s = ShortVector.broadcast(S, (short) (-8 * xsum[i * blocks + b]));
                ShortVector t = ShortVector.broadcast(S, (short) (-8 * xsum[(i + 1) * blocks + b]));
                for (int k = 0; k < QUADS; k++, wo += G, xo += 4) {
                    ShortVector w = ShortVector.fromArray(S, q, wo);
                    ShortVector n0 = w.and(LOW);
                    ShortVector n1 = w.lanewise(VectorOperators.LSHR, 4).and(LOW);
                    ShortVector n2 = w.lanewise(VectorOperators.LSHR, 8).and(LOW);
                    ShortVector n3 = w.lanewise(VectorOperators.LSHR, 12);
                    s = n0.mul(xq[xo]).add(n1.mul(xq[xo + 1])).add(n2.mul(xq[xo + 2])).add(n3.mul(xq[xo + 3])).add(s);
                    int xo2 = xo + cols;
                    t = n0.mul(xq[xo2]).add(n1.mul(xq[xo2 + 1])).add(n2.mul(xq[xo2 + 2])).add(n3.mul(xq[xo2 + 3])).add(t);
                }
                IntVector sum = ShortVector.zero(S).add(s).reinterpretAsInts();
                IntVector tum = ShortVector.zero(S).add(t).reinterpretAsInts();
                a0 = ((FloatVector) sum.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).mul(h0.mul(sx)).add(a0);
                a1 = ((FloatVector) sum.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(h1.mul(sx)).add(a1);
                c0 = ((FloatVector) tum.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).mul(h0.mul(tx)).add(c0);
                c1 = ((FloatVector) tum.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(h1.mul(tx)).add(c1);
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
                isum += (nibble(row, b, e) - 8) * xq[xo + e];
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
                out[off + b * BLOCK + e] = (nibble(row, b, e) - 8) * scale;
            }
        }
    }
}
