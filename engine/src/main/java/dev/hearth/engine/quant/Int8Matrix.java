package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.QuantFormat.BLOCK;
import static dev.hearth.engine.quant.RowGroups.F;
import static dev.hearth.engine.quant.RowGroups.G;
import static dev.hearth.engine.quant.RowGroups.H;
import static dev.hearth.engine.quant.RowGroups.I;
import static dev.hearth.engine.quant.RowGroups.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-channel int8: one fp32 scale per row (output channel), s = max|row| / 127, and one int8
 * per weight, q = roundf(w * (1 / s)); weight = q * s. Stored as two tensors, the int8 matrix and
 * the scales (the layout of the {@code weight} / {@code weight_scale} pair of Hugging Face's
 * compressed-tensors int8 checkpoints).
 *
 * <p>In memory the rows are interleaved in groups of G as Q8_0's are ({@link RowGroups}): row r's
 * short {@code k} of each block of 32 holds its values 2k (low byte) and 2k + 1 (high byte). The
 * kernels sum each block's 32 products in integers, scale the sum by the activation block's scale
 * and add up the blocks in order, then multiply by the row's scale: the reference's operations,
 * to the last bit.
 *
 * <pre>
 * q      (groups, cols / 32, 16, G)   shorts: 2 int8 values of one row each
 * scales (groups * G)                 fp32, in row order (padding rows 0)
 * </pre>
 */
public final class Int8Matrix implements QuantizedMatrix {
    private static final int PAIRS = BLOCK / 2;   // shorts per block and row

    private final int rows;
    private final int cols;
    private final int blocks;     // of 32 per row, for the activations' scales
    private final short[] q;      // (groups, blocks, 16, G)
    private final float[] scales; // (groups * G)

    /** Regroups {@code rows} x {@code cols} int8 values read by {@code value} (row, col), with their row scales. */
    private Int8Matrix(int rows, int cols, ValueAt value, float[] rowScales) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.q = new short[RowGroups.groups(rows) * blocks * PAIRS * G];
        this.scales = java.util.Arrays.copyOf(rowScales, RowGroups.groups(rows) * G);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < PAIRS; k++) {
                    int c = b * BLOCK + 2 * k;
                    q[RowGroups.index(r, blocks, b, PAIRS, k)] = (short) ((value.at(r, c) & 0xFF) | value.at(r, c + 1) << 8);
                }
            }
        }
    }

    private interface ValueAt {
        byte at(int row, int col);
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Int8Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.INT8);
        float[] scales = new float[rows];
        float[] inverse = new float[rows];
        for (int r = 0; r < rows; r++) {
            float amax = 0f;
            for (int j = 0; j < cols; j++) {
                amax = Math.max(amax, Math.abs(w[off + r * cols + j]));
            }
            scales[r] = amax / 127f;
            inverse[r] = scales[r] != 0f ? 1f / scales[r] : 0f;
        }
        return new Int8Matrix(rows, cols, (r, c) -> (byte) Rounding.roundf(w[off + r * cols + c] * inverse[r]), scales);
    }

    /** A matrix over stored values and row scales (both copied). */
    public static Int8Matrix of(byte[] q, float[] scales, int rows, int cols) {
        return of(MemorySegment.ofArray(q), scales, rows, cols);
    }

    /**
     * A matrix over int8 values read straight from {@code q} (a tensor of a memory-mapped model
     * file, regrouped onto the heap) and row scales (copied), with the checks of {@link #of(byte[], float[], int, int)}.
     */
    public static Int8Matrix of(MemorySegment q, float[] scales, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.INT8);
        if (q.byteSize() != (long) rows * cols || scales.length != rows) {
            throw new QuantizationException("an int8 matrix of " + rows + " x " + cols + " needs " + (long) rows * cols
                    + " values and " + rows + " scales, not " + q.byteSize() + " and " + scales.length);
        }
        return new Int8Matrix(rows, cols, (r, c) -> q.get(ValueLayout.JAVA_BYTE, (long) r * cols + c), scales);
    }

    /** Value (row, col). */
    private int value(int r, int c) {
        short v = q[RowGroups.index(r, blocks, c / BLOCK, PAIRS, c % BLOCK / 2)];
        return c % 2 == 0 ? (byte) v : v >> 8;
    }

    /** The int8 values (rows, cols), row-major. */
    public byte[] values() {
        byte[] out = new byte[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (byte) value(r, c);
            }
        }
        return out;
    }

    /** The row scales, a copy. */
    public float[] scales() {
        return java.util.Arrays.copyOf(scales, rows);
    }

    @Override
    public QuantFormat format() {
        return QuantFormat.INT8;
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
        return 2L * q.length + 4L * scales.length;
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
                IntVector s0 = IntVector.zero(I);  // the block's sums, rows 0..H
                IntVector s1 = s0;                 // rows H..G
                for (int k = 0; k < PAIRS; k++, wo += G, xo += 2) {
                    ShortVector w = ShortVector.fromArray(S, q, wo);
                    IntVector p = w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xq[xo])
                            .add(w.lanewise(VectorOperators.ASHR, 8).mul(xq[xo + 1])).reinterpretAsInts();
                    s0 = p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(s0);
                    s1 = p.lanewise(VectorOperators.ASHR, 16).add(s1);
                }
                float sx = xs[i * blocks + b];
                a0 = ((FloatVector) IntVector.zero(I).add(s0).convert(VectorOperators.I2F, 0)).mul(sx).add(a0);
                a1 = ((FloatVector) IntVector.zero(I).add(s1).convert(VectorOperators.I2F, 0)).mul(sx).add(a1);
            }
            FloatVector.fromArray(F, scales, g * G).mul(a0).intoArray(dst, o);
            FloatVector.fromArray(F, scales, g * G + H).mul(a1).intoArray(dst, o + H);
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
                IntVector s0 = IntVector.zero(I);  // activation row i: rows 0..H, H..G
                IntVector s1 = s0;
                IntVector t0 = s0;                 // activation row i + 1
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
                float sx = xs[i * blocks + b];
                float tx = xs[(i + 1) * blocks + b];
                a0 = ((FloatVector) IntVector.zero(I).add(s0).convert(VectorOperators.I2F, 0)).mul(sx).add(a0);
                a1 = ((FloatVector) IntVector.zero(I).add(s1).convert(VectorOperators.I2F, 0)).mul(sx).add(a1);
                c0 = ((FloatVector) IntVector.zero(I).add(t0).convert(VectorOperators.I2F, 0)).mul(tx).add(c0);
                c1 = ((FloatVector) IntVector.zero(I).add(t1).convert(VectorOperators.I2F, 0)).mul(tx).add(c1);
            }
            FloatVector r0 = FloatVector.fromArray(F, scales, g * G);
            FloatVector r1 = FloatVector.fromArray(F, scales, g * G + H);
            r0.mul(a0).intoArray(dst, o);
            r1.mul(a1).intoArray(dst, o + H);
            r0.mul(c0).intoArray(dst, o2);
            r1.mul(c1).intoArray(dst, o2 + H);
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
            int isum = 0;
            for (int j = 0; j < BLOCK; j++) {
                isum += value(row, b * BLOCK + j) * xq[xRow * cols + b * BLOCK + j];
            }
            sum += isum * xs[xRow * blocks + b];
        }
        return sum * scales[row];
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        float s = scales[row];
        for (int j = 0; j < cols; j++) {
            out[off + j] = value(row, j) * s;
        }
    }
}
