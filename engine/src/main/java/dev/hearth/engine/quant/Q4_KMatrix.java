package dev.hearth.engine.quant;

import static dev.hearth.engine.quant.QuantFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * llama.cpp's Q4_K: each row is cols / 256 super-blocks, each exactly ggml's {@code block_q4_K}
 * (144 bytes): fp16 {@code d}, fp16 {@code dmin}, 12 bytes holding a 6-bit scale {@code sc} and a
 * 6-bit min {@code m} for each of its 8 sub-blocks of 32, then 128 bytes of 4-bit values {@code q};
 * weight = d * sc * q - dmin * m. The 12 bytes: bytes 0-3 hold sc 0-3 in their low 6 bits and
 * the top 2 bits of sc 4-7 above them; bytes 4-7 the same for the mins; bytes 8-11 the low 4 bits
 * of sc 4-7 (low nibble) and of m 4-7 (high nibble). The values: each 64 elements take 32 bytes,
 * element l in the low nibble of byte l and element l + 32 in its high nibble.
 *
 * <p>Quantization is {@code quantize_row_q4_K_ref}'s (what {@code llama-quantize} does without an
 * importance matrix), float operation for float operation: per sub-block, weights
 * {@code sqrt(mean x^2) + |x|}, then a weighted least-squares fit of scale and min over 21 trial
 * scales ({@link #fitScaleAndMin}); the 8 scales and 8 mins are then quantized to 6 bits against
 * the largest of each (d = max scale / 63, dmin = max min / 63), and the values are rounded again
 * against the 6-bit scales.
 *
 * <p>In memory each row's values are one contiguous run, 16 bytes per sub-block in Q4_0's order
 * (element l in the low nibble of byte l, element l + 16 in the high one: the kernels then read a
 * sub-block as Q4_0's read a block); the super-block scales are fp16 bits and the 6-bit sub-block
 * scales and mins are unpacked to one byte each (16 bytes per 256 weights where ggml packs 12,
 * 0.125 bits per weight more), so the kernels read them without bit surgery. {@link #ofBlocks}
 * and {@link #blocks} make ggml's bytes again; nibbles only move, and every 12 bytes are 16
 * six-bit numbers and back, so the round trip is exact for any bytes.
 *
 * <pre>
 * qs (rows, cols / 2) packed nibbles, 16 bytes per sub-block      d, dmin (rows, cols / 256) fp16 bits
 * sc, m (rows, cols / 32) 0..63
 * </pre>
 */
public final class Q4_KMatrix implements QuantizedMatrix {
    /** Elements per super-block (ggml's QK_K). */
    public static final int SUPER = 256;
    static final int BLOCK_BYTES = 144;
    private static final int SUBS = SUPER / BLOCK;        // 8 sub-blocks of 32

    private final int rows;
    private final int cols;
    private final int supers;     // per row
    private final byte[] qs;      // (rows, cols / 2)
    private final short[] d;      // (rows, supers)
    private final short[] dmin;   // (rows, supers)
    private final byte[] sc;      // (rows, cols / 32)
    private final byte[] m;       // (rows, cols / 32)

    private Q4_KMatrix(int rows, int cols, byte[] qs, short[] d, short[] dmin, byte[] sc, byte[] m) {
        this.rows = rows;
        this.cols = cols;
        this.supers = cols / SUPER;
        this.qs = qs;
        this.d = d;
        this.dmin = dmin;
        this.sc = sc;
        this.m = m;
    }

    /** Quantizes {@code rows} x {@code cols} contiguous floats from {@code w[off]} ({@code cols} a multiple of 256). */
    public static Q4_KMatrix quantize(float[] w, int off, int rows, int cols) {
        QuantizedMatrix.checkWidth(cols, QuantFormat.Q4_K);
        int supers = cols / SUPER;
        byte[] blocks = new byte[rows * supers * BLOCK_BYTES];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < supers; s++) {
                quantizeSuperBlock(w, off + r * cols + s * SUPER, blocks, (r * supers + s) * BLOCK_BYTES);
            }
        }
        return ofBlocks(blocks, rows, cols);
    }

    /** One super-block of 256 floats at {@code x[xo]} into ggml's 144 bytes at {@code out[o]}. */
    private static void quantizeSuperBlock(float[] x, int xo, byte[] out, int o) {
        int[] levels = new int[SUPER];
        int[] aux = new int[BLOCK];
        float[] weights = new float[BLOCK];
        float[] scales = new float[SUBS];
        float[] mins = new float[SUBS];
        float maxScale = 0f;
        float maxMin = 0f;
        for (int j = 0; j < SUBS; j++) {
            int b = xo + BLOCK * j;
            float sumX2 = 0f;
            for (int l = 0; l < BLOCK; l++) {
                sumX2 += x[b + l] * x[b + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32f);
            for (int l = 0; l < BLOCK; l++) {
                weights[l] = avX + Math.abs(x[b + l]);
            }
            float[] minOut = new float[1];
            scales[j] = fitScaleAndMin(x, b, weights, levels, BLOCK * j, minOut, aux);
            mins[j] = minOut[0];
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = new int[SUBS];
        int[] lm = new int[SUBS];
        for (int j = 0; j < SUBS; j++) {
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);    // C: uint8_t ls = nearest_int(..)
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
        }
        short dBits = Rounding.fp16(maxScale / 63f);
        short mBits = Rounding.fp16(maxMin / 63f);
        Rounding.putFp16(out, o, dBits);
        Rounding.putFp16(out, o + 2, mBits);
        packScales(ls, lm, out, o + 4);
        float dd = Float.float16ToFloat(dBits);
        float dm = Float.float16ToFloat(mBits);
        for (int j = 0; j < SUBS; j++) {
            float dj = dd * ls[j];
            if (dj == 0f) {
                continue;                                  // the fit's levels stay, as in llama.cpp
            }
            float mj = dm * lm[j];
            for (int l = 0; l < BLOCK; l++) {
                int q = nearestInt((x[xo + BLOCK * j + l] + mj) / dj);
                levels[BLOCK * j + l] = Math.max(0, Math.min(15, q));
            }
        }
        int q = o + 16;
        for (int j = 0; j < SUPER; j += 64) {
            for (int l = 0; l < 32; l++) {
                out[q + l] = (byte) (levels[j + l] | (levels[j + l + 32] << 4));
            }
            q += 32;
        }
    }

    /**
     * llama.cpp's {@code make_qkx2_quants(32, 15, x, weights, L, &min, Laux, -1, 0.1, 20, false)}:
     * levels 0..15 for the 32 values at {@code x[xo]} with value = scale * level - min, chosen by
     * weighted least squares over 21 trial inverse scales (15 - 1 + 0.1 k) / (max - min); returns
     * the scale, puts the min (>= 0, subtracted) in {@code minOut[0]} and the levels in
     * {@code levels[lo..lo+32)}.
     */
    private static float fitScaleAndMin(float[] x, int xo, float[] weights, int[] levels, int lo, float[] minOut,
                                        int[] aux) {
        final int n = BLOCK;
        final int nmax = 15;
        final float rmin = -1f;
        final float rdelta = 0.1f;
        final int nstep = 20;
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            if (x[xo + i] < min) {
                min = x[xo + i];
            }
            if (x[xo + i] > max) {
                max = x[xo + i];
            }
            float w = weights[i];
            sumW += w;
            sumX += w * x[xo + i];
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            minOut[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            levels[lo + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * levels[lo + i] + min - x[xo + i];
            bestError += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /**
     * ggml's {@code nearest_int}: round to nearest, ties to even, by adding 1.5 * 2^23 and reading
     * the low mantissa bits (the same bits C gives for any input, in range or not).
     */
    static int nearestInt(float v) {
        int i = Float.floatToRawIntBits(v + 12582912f);
        return (i & 0x007fffff) - 0x00400000;
    }

    /** 8 scales and 8 mins of 6 bits into ggml's 12 bytes at {@code out[o]}. */
    private static void packScales(int[] ls, int[] lm, byte[] out, int o) {
        for (int j = 0; j < 4; j++) {
            out[o + j] = (byte) (ls[j] | (ls[j + 4] >> 4) << 6);
            out[o + j + 4] = (byte) (lm[j] | (lm[j + 4] >> 4) << 6);
            out[o + j + 8] = (byte) ((ls[j + 4] & 0xF) | (lm[j + 4] & 0xF) << 4);
        }
    }

    /** A matrix over packed super-blocks as llama.cpp writes them ({@code rows * cols / 256 * 144} bytes). */
    public static Q4_KMatrix ofBlocks(byte[] blocks, int rows, int cols) {
        return ofBlocks(MemorySegment.ofArray(blocks), rows, cols);
    }

    /**
     * A matrix over packed super-blocks read straight from {@code blocks} (e.g. a tensor of a
     * memory-mapped model file): split into values, super-block scales and unpacked 6-bit scales.
     */
    public static Q4_KMatrix ofBlocks(MemorySegment blocks, int rows, int cols) {
        QuantizedMatrix.checkBlockBytes(blocks.byteSize(), rows, cols, QuantFormat.Q4_K, BLOCK_BYTES);
        int n = rows * (cols / SUPER);
        byte[] qs = new byte[rows * cols / 2];
        short[] d = new short[n];
        short[] dmin = new short[n];
        byte[] sc = new byte[n * SUBS];
        byte[] m = new byte[n * SUBS];
        byte[] k = new byte[12];
        byte[] g = new byte[SUPER / 2];
        for (int s = 0; s < n; s++) {
            long o = (long) s * BLOCK_BYTES;
            d[s] = blocks.get(Rounding.FP16, o);
            dmin[s] = blocks.get(Rounding.FP16, o + 2);
            MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, o + 4, k, 0, 12);
            for (int j = 0; j < 4; j++) {
                sc[s * SUBS + j] = (byte) (k[j] & 63);
                m[s * SUBS + j] = (byte) (k[j + 4] & 63);
                sc[s * SUBS + j + 4] = (byte) ((k[j + 8] & 0xF) | ((k[j] & 0xFF) >> 6) << 4);
                m[s * SUBS + j + 4] = (byte) (((k[j + 8] & 0xFF) >> 4) | ((k[j + 4] & 0xFF) >> 6) << 4);
            }
            MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, o + 16, g, 0, SUPER / 2);
            for (int c = 0; c < 4; c++) {                   // 64 values in 32 bytes -> two sub-blocks of 16 bytes
                int a = s * (SUPER / 2) + c * 32;
                for (int l = 0; l < 16; l++) {
                    int lo = g[c * 32 + l];
                    int hi = g[c * 32 + l + 16];
                    qs[a + l] = (byte) ((lo & 0x0F) | (hi & 0x0F) << 4);
                    qs[a + 16 + l] = (byte) (((lo >> 4) & 0x0F) | (hi & 0xF0));
                }
            }
        }
        return new Q4_KMatrix(rows, cols, qs, d, dmin, sc, m);
    }

    /** The packed super-blocks: exactly the bytes of a GGUF Q4_K tensor of this shape. */
    public byte[] blocks() {
        int n = d.length;
        byte[] out = new byte[n * BLOCK_BYTES];
        int[] ls = new int[SUBS];
        int[] lm = new int[SUBS];
        for (int s = 0; s < n; s++) {
            int o = s * BLOCK_BYTES;
            Rounding.putFp16(out, o, d[s]);
            Rounding.putFp16(out, o + 2, dmin[s]);
            for (int j = 0; j < SUBS; j++) {
                ls[j] = sc[s * SUBS + j];
                lm[j] = m[s * SUBS + j];
            }
            packScales(ls, lm, out, o + 4);
            for (int c = 0; c < 4; c++) {
                int a = s * (SUPER / 2) + c * 32;
                for (int l = 0; l < 16; l++) {
                    int even = qs[a + l];
                    int odd = qs[a + 16 + l];
                    out[o + 16 + c * 32 + l] = (byte) ((even & 0x0F) | (odd & 0x0F) << 4);
                    out[o + 16 + c * 32 + 16 + l] = (byte) (((even >> 4) & 0x0F) | (odd & 0xF0));
                }
            }
        }
        return out;
    }

    @Override
    public QuantFormat format() {
        return QuantFormat.Q4_K;
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
        return qs.length + 2L * d.length + 2L * dmin.length + sc.length + m.length;
    }

    private static final short LOW = 0x0F;

    /*
     * The kernels work at a fixed 256-bit width: a sub-block of 32 is two 16-lane short vectors
     * (16 bytes of nibbles widened, then multiplied by the activations, held as shorts); the 16
     * short products are summed in adjacent pairs into 8 ints by shifts of the 32-bit lanes (AVX2's
     * pmaddwd is not reachable from the Vector API), converted to float for a multiply-add with
     * the sub-block's scale; at the end the 8 lanes are summed as the fixed tree
     * ((0+4) + (2+6)) + ((1+5) + (3+7)), written as lane-wise adds of shuffles so that C2 and the
     * interpreter compute the very same sums. Written as RowGroups says kernels must be: every
     * step in the kernel, and a vector carried round a loop only as an argument.
     */
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromValues(F256, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromValues(F256, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromValues(F256, 1, 0, 3, 2, 5, 4, 7, 6);

    /*
     * Both kernels, one sub-block of 32 per step: its 16 bytes (in memory element l in the low
     * nibble of byte l, element l + 16 in the high one, as Q4_0) widened to shorts. Each sub-block lines up with one 8-bit activation block b, so
     *   sum_l w_l x_l = d sc_b xs_b sum_l q_l xq_l  -  dmin m_b xs_b sum_l xq_l,
     * the first an integer dot product (q <= 15, |xq| <= 127: two products fit a short), the
     * second the activation block's sum (Q8Activations.sums) times the min, added apart. One
     * sub-block per step, Q4_0's nibble order, keeps the loop body as small as Q4_0's: ggml's order
     * (two sub-blocks sharing 32 bytes) takes two sub-blocks per step (the first version: its
     * two-row product ran 5x slower than Q4_0's, past what C2 compiles into vector code) or a
     * shift by a variable count. The sub-blocks run in an inner loop per super-block, so its two
     * fp16 scales are converted once per 8 sub-blocks (decode 0.68x -> 0.85x of Q4_0's speed).
     */

    @Override
    public void productRow(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        float[] xsum = x.sums();
        int subs = cols / BLOCK;
        for (int j = j0; j < j1; j++) {
            int row = j * (cols / 2);
            int xo = i * cols;
            int xb = i * subs;
            int sb = j * subs;
            FloatVector acc = FloatVector.zero(F256);
            float mins = 0f;
            int b = 0;
            for (int s = j * supers; s < (j + 1) * supers; s++) {
                float dd = Float.float16ToFloat(d[s]);
                float dm = Float.float16ToFloat(dmin[s]);
                for (int k = 0; k < SUBS; k++, b++, xo += BLOCK) {
                    ShortVector packed = (ShortVector) ByteVector.fromArray(B128, qs, row + b * 16)
                            .convertShape(VectorOperators.B2S, S256, 0);                // sign-extended; the masks undo it
                    ShortVector w0 = packed.and(LOW);                                    // elements 0..15
                    ShortVector w1 = packed.lanewise(VectorOperators.ASHR, 4).and(LOW);  // 16..31
                    IntVector p = w0.mul(ShortVector.fromArray(S256, xq, xo))
                            .add(w1.mul(ShortVector.fromArray(S256, xq, xo + 16))).reinterpretAsInts();
                    acc = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(p.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F256, dd * sc[sb + b] * xs[xb + b]), acc);
                    mins += dm * m[sb + b] * xsum[xb + b];
                }
            }
            FloatVector v = FloatVector.zero(F256).add(acc);
            v = v.add(v.rearrange(SWAP4));
            v = v.add(v.rearrange(SWAP2));
            y[yOff + i * rows + j] = v.add(v.rearrange(SWAP1)).lane(0) - mins;
        }
    }

    @Override
    public void productPair(Q8Activations x, int i, int j0, int j1, float[] y, int yOff) {
        short[] xq = x.values();
        float[] xs = x.scales();
        float[] xsum = x.sums();
        int subs = cols / BLOCK;
        for (int j = j0; j < j1; j++) {
            int row = j * (cols / 2);
            int xo = i * cols;
            int xb = i * subs;
            int sb = j * subs;
            FloatVector a0 = FloatVector.zero(F256);
            FloatVector a1 = a0;
            float mins0 = 0f;
            float mins1 = 0f;
            int b = 0;
            for (int s = j * supers; s < (j + 1) * supers; s++) {
                float dd = Float.float16ToFloat(d[s]);
                float dm = Float.float16ToFloat(dmin[s]);
                for (int k = 0; k < SUBS; k++, b++, xo += BLOCK) {
                    ShortVector packed = (ShortVector) ByteVector.fromArray(B128, qs, row + b * 16)
                            .convertShape(VectorOperators.B2S, S256, 0);
                    ShortVector w0 = packed.and(LOW);
                    ShortVector w1 = packed.lanewise(VectorOperators.ASHR, 4).and(LOW);
                    float scale = dd * sc[sb + b];
                    float min = dm * m[sb + b];
                    IntVector p0 = w0.mul(ShortVector.fromArray(S256, xq, xo))
                            .add(w1.mul(ShortVector.fromArray(S256, xq, xo + 16))).reinterpretAsInts();
                    a0 = ((FloatVector) p0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(p0.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F256, scale * xs[xb + b]), a0);
                    IntVector p1 = w0.mul(ShortVector.fromArray(S256, xq, xo + cols))
                            .add(w1.mul(ShortVector.fromArray(S256, xq, xo + cols + 16))).reinterpretAsInts();
                    a1 = ((FloatVector) p1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(p1.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F256, scale * xs[xb + subs + b]), a1);
                    mins0 += min * xsum[xb + b];
                    mins1 += min * xsum[xb + subs + b];
                }
            }
            FloatVector v = FloatVector.zero(F256).add(a0);
            v = v.add(v.rearrange(SWAP4));
            v = v.add(v.rearrange(SWAP2));
            y[yOff + i * rows + j] = v.add(v.rearrange(SWAP1)).lane(0) - mins0;
            v = FloatVector.zero(F256).add(a1);
            v = v.add(v.rearrange(SWAP4));
            v = v.add(v.rearrange(SWAP2));
            y[yOff + (i + 1) * rows + j] = v.add(v.rearrange(SWAP1)).lane(0) - mins1;
        }
    }

    @Override
    public float dotReference(int row, Q8Activations x, int xRow) {
        float sum = 0f;
        int subs = cols / BLOCK;
        for (int b = 0; b < subs; b++) {
            int s = row * supers + b / SUBS;
            int wo = row * (cols / 2) + b * 16;
            int isum = 0;
            int xsum = 0;
            for (int l = 0; l < BLOCK; l++) {
                int q = l < 16 ? qs[wo + l] & 0xF : (qs[wo + l - 16] >> 4) & 0xF;
                int v = x.values()[xRow * cols + b * BLOCK + l];
                isum += q * v;
                xsum += v;
            }
            float xs = x.scales()[xRow * subs + b];
            sum += Float.float16ToFloat(d[s]) * sc[row * subs + b] * xs * isum
                    - Float.float16ToFloat(dmin[s]) * m[row * subs + b] * xs * xsum;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int subs = cols / BLOCK;
        for (int b = 0; b < subs; b++) {
            int s = row * supers + b / SUBS;
            float dj = Float.float16ToFloat(d[s]) * sc[row * subs + b];
            float mj = Float.float16ToFloat(dmin[s]) * m[row * subs + b];
            int wo = row * (cols / 2) + b * 16;
            for (int l = 0; l < BLOCK; l++) {
                int q = l < 16 ? qs[wo + l] & 0xF : (qs[wo + l - 16] >> 4) & 0xF;
                out[off + b * BLOCK + l] = dj * q - mj;
            }
        }
    }
}
