package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.BlockMath.F256;
import static dev.hearth.engine.quant.BlockMath.pairSum;
import static dev.hearth.engine.quant.BlockMath.shorts;
import static dev.hearth.engine.quant.BlockMath.sumLanes;
import static dev.hearth.engine.quant.BlockMath.widen;
import static dev.hearth.engine.quant.QuantFormat.BLOCK;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * Per-channel int8: one fp32 scale per row (output channel), s = max|row| / 127, and one int8
 * per weight, q = roundf(w * (1 / s)); weight = q * s. Stored as two tensors, the int8 matrix and
 * the scales (the layout of the {@code weight} / {@code weight_scale} pair of Hugging Face's
 * compressed-tensors int8 checkpoints).
 *
 * <pre>
 * q      (rows, cols) int8
 * scales (rows)       fp32
 * </pre>
 */
public final class Int8Matrix implements QuantizedMatrix {
    private final int rows;
    private final int cols;
    private final int blocks;     // of 32 per row, for the activations' scales
    private final byte[] q;       // (rows, cols)
    private final float[] scales; // (rows)

    private Int8Matrix(int rows, int cols, byte[] q, float[] scales) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.q = q;
        this.scales = scales;
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]}. */
    public static Int8Matrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.INT8);
        byte[] q = new byte[rows * cols];
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) {
            float amax = 0f;
            for (int j = 0; j < cols; j++) {
                amax = Math.max(amax, Math.abs(w[off + r * cols + j]));
            }
            float s = amax / 127f;
            float is = s != 0f ? 1f / s : 0f;
            scales[r] = s;
            for (int j = 0; j < cols; j++) {
                q[r * cols + j] = (byte) Rounding.roundf(w[off + r * cols + j] * is);
            }
        }
        return new Int8Matrix(rows, cols, q, scales);
    }

    /** A matrix over stored values and row scales (both copied). */
    public static Int8Matrix of(byte[] q, float[] scales, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.INT8);
        if (q.length != (long) rows * cols || scales.length != rows) {
            throw new QuantizationException("an int8 matrix of " + rows + " x " + cols + " needs " + (long) rows * cols
                    + " values and " + rows + " scales, not " + q.length + " and " + scales.length);
        }
        return new Int8Matrix(rows, cols, q.clone(), scales.clone());
    }

    /**
     * A matrix over int8 values read straight from {@code q} (a tensor of a memory-mapped model
     * file, copied once onto the heap) and row scales (copied), with the checks of {@link #of(byte[], float[], int, int)}.
     */
    public static Int8Matrix of(java.lang.foreign.MemorySegment q, float[] scales, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.INT8);
        if (q.byteSize() != (long) rows * cols || scales.length != rows) {
            throw new QuantizationException("an int8 matrix of " + rows + " x " + cols + " needs " + (long) rows * cols
                    + " values and " + rows + " scales, not " + q.byteSize() + " and " + scales.length);
        }
        return new Int8Matrix(rows, cols, q.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), scales.clone());
    }

    /** The int8 values (rows, cols), a copy. */
    public byte[] values() {
        return q.clone();
    }

    /** The row scales, a copy. */
    public float[] scales() {
        return scales.clone();
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
        return q.length + 4L * scales.length;
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
                acc = pairSum(p).fma(FloatVector.broadcast(F256, xs[xso + b]), acc);
            }
            y[yOff + i * rows + j] = sumLanes(acc) * scales[j];
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
                ShortVector p0 = w0.mul(shorts(xq, xo)).add(w1.mul(shorts(xq, xo + 16)));
                a0 = pairSum(p0).fma(FloatVector.broadcast(F256, xs[xso + b]), a0);
                ShortVector p1 = w0.mul(shorts(xq, xo + cols)).add(w1.mul(shorts(xq, xo + cols + 16)));
                a1 = pairSum(p1).fma(FloatVector.broadcast(F256, xs[xso + blocks + b]), a1);
            }
            y[yOff + i * rows + j] = sumLanes(a0) * scales[j];
            y[yOff + (i + 1) * rows + j] = sumLanes(a1) * scales[j];
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
                isum += q[row * cols + b * BLOCK + j] * xq[xRow * cols + b * BLOCK + j];
            }
            sum += isum * xs[xRow * blocks + b];
        }
        return sum * scales[row];
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        float s = scales[row];
        for (int j = 0; j < cols; j++) {
            out[off + j] = q[row * cols + j] * s;
        }
    }
}
