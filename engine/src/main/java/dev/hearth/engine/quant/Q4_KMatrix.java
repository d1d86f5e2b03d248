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
 * <p>In memory the rows are interleaved in groups of G as Q4_0's are ({@link RowGroups}): row r's
 * short {@code k} of a sub-block holds its elements 4k..4k+3, four bits each from the lowest; the
 * super-block scales are fp16 bits, and each sub-block's 6-bit scale and min share a short (scale
 * in the low byte), one per row, laid out as the weights (16 bits per 32 weights where ggml packs
 * 12: 0.125 bits per weight more), so the kernels read them without bit surgery.
 * {@link #ofBlocks} and {@link #blocks} make ggml's bytes again; nibbles only move, and every 12
 * bytes are 16 six-bit numbers and back, so the round trip is exact for any bytes.
 *
 * <pre>
 * q (groups, cols / 32, 8, G)   shorts: 4 nibbles of one row each
 * d, dmin (groups, cols / 256, G) fp16 bits      scm (groups, cols / 32, G) sc | m << 8, each 0..63
 * </pre>
 */
public final class Q4_KMatrix implements QuantizedMatrix {
    /** Elements per super-block (ggml's QK_K). */
    public static final int SUPER = 256;
    static final int BLOCK_BYTES = 144;
    private static final int SUBS = SUPER / BLOCK;        // 8 sub-blocks of 32
    private static final int QUADS = BLOCK / 4;           // shorts per sub-block and row

    private final int rows;
    private final int cols;
    private final int supers;     // per row
    private final int subs;       // per row
    private final short[] q;      // (groups, subs, 8, G)
    private final short[] d;      // (groups, supers, G)
    private final short[] dmin;   // (groups, supers, G)
    private final short[] scm;    // (groups, subs, G)

    /**
     * Regroups a matrix given row by row: nibbles {@code qs} (rows, cols / 2), 16 bytes per
     * sub-block in Q4_0's order; {@code d}, {@code dmin} (rows, supers); {@code sc}, {@code m}
     * (rows, subs).
     */
    private Q4_KMatrix(int rows, int cols, byte[] qs, short[] d, short[] dmin, byte[] sc, byte[] m) {
        this.rows = rows;
        this.cols = cols;
        this.supers = cols / SUPER;
        this.subs = cols / BLOCK;
        int groups = RowGroups.groups(rows);
        this.q = new short[groups * subs * QUADS * G];
        this.d = new short[groups * supers * G];
        this.dmin = new short[groups * supers * G];
        this.scm = new short[groups * subs * G];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < supers; s++) {
                RowGroups.checkScale(d[r * supers + s], QuantFormat.Q4_K, r, s);
                RowGroups.checkScale(dmin[r * supers + s], QuantFormat.Q4_K, r, s);
                this.d[RowGroups.index(r, supers, s, 1, 0)] = d[r * supers + s];
                this.dmin[RowGroups.index(r, supers, s, 1, 0)] = dmin[r * supers + s];
            }
            for (int b = 0; b < subs; b++) {
                this.scm[RowGroups.index(r, subs, b, 1, 0)] = (short) (sc[r * subs + b] | m[r * subs + b] << 8);
                int wo = r * (cols / 2) + b * 16;
                for (int k = 0; k < QUADS; k++) {
                    int v = 0;
                    for (int t = 0; t < 4; t++) {
                        int e = 4 * k + t;
                        int nib = e < 16 ? qs[wo + e] & 0xF : (qs[wo + e - 16] >> 4) & 0xF;
                        v |= nib << (4 * t);
                    }
                    this.q[RowGroups.index(r, subs, b, QUADS, k)] = (short) v;
                }
            }
        }
    }

    /** Element {@code e} (0..31) of sub-block {@code b} of row {@code r}, 0..15. */
    private int nibble(int r, int b, int e) {
        return (q[RowGroups.index(r, subs, b, QUADS, e / 4)] >> (4 * (e % 4))) & 0xF;
    }

    private int sc(int r, int b) {
        return scm[RowGroups.index(r, subs, b, 1, 0)] & 0xFF;
    }

    private int m(int r, int b) {
        return scm[RowGroups.index(r, subs, b, 1, 0)] >> 8;
    }

    private float d(int r, int s) {
        return Float.float16ToFloat(d[RowGroups.index(r, supers, s, 1, 0)]);
    }

    private float dmin(int r, int s) {
        return Float.float16ToFloat(dmin[RowGroups.index(r, supers, s, 1, 0)]);
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
        byte[] out = new byte[rows * supers * BLOCK_BYTES];
        int[] ls = new int[SUBS];
        int[] lm = new int[SUBS];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < supers; s++) {
                int o = (r * supers + s) * BLOCK_BYTES;
                Rounding.putFp16(out, o, d[RowGroups.index(r, supers, s, 1, 0)]);
                Rounding.putFp16(out, o + 2, dmin[RowGroups.index(r, supers, s, 1, 0)]);
                for (int j = 0; j < SUBS; j++) {
                    ls[j] = sc(r, s * SUBS + j);
                    lm[j] = m(r, s * SUBS + j);
                }
                packScales(ls, lm, out, o + 4);
                for (int c = 0; c < 4; c++) {                   // two sub-blocks -> 64 values in 32 bytes
                    int b = s * SUBS + 2 * c;
                    for (int l = 0; l < 32; l++) {
                        out[o + 16 + c * 32 + l] = (byte) (nibble(r, b, l) | nibble(r, b + 1, l) << 4);
                    }
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
        return 2L * q.length + 2L * d.length + 2L * dmin.length + 2L * scm.length;
    }

    @Override
    public int rowGroup() {
        return G;
    }

    private static final short LOW = 0x0F;

    /*
     * Per sub-block b of 32 and row: isum = sum(nibble * x) over the 32 elements, run in 16-bit
     * lanes as Q4_0's (offset by -8 * sum(x), which keeps it within 16 bits, and added back in 32);
     * then, as the reference computes it, (d * sc * xs) * isum - (dmin * m * xs) * sum(x), added up
     * over the sub-blocks in order. Each super-block's d and dmin are converted once per 8
     * sub-blocks. Written as RowGroups says kernels must be: no helpers, loop vectors only as
     * arguments.
     */
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
            for (int sb = 0; sb < supers; sb++) {
                IntVector dv = ShortVector.fromArray(S, d, (g * supers + sb) * G).reinterpretAsInts();     // fp16, see RowGroups
                IntVector mv = ShortVector.fromArray(S, dmin, (g * supers + sb) * G).reinterpretAsInts();
                IntVector e0 = dv.lanewise(VectorOperators.LSHL, 16);
                IntVector e1 = dv.and(0xFFFF_0000);
                IntVector f0 = mv.lanewise(VectorOperators.LSHL, 16);
                IntVector f1 = mv.and(0xFFFF_0000);
                FloatVector d0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats();
                FloatVector d1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats();
                FloatVector m0 = f0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(f0.and(SIGN)).reinterpretAsFloats();
                FloatVector m1 = f1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(f1.and(SIGN)).reinterpretAsFloats();
                for (int b = sb * SUBS; b < (sb + 1) * SUBS; b++) {
                    int wo = (g * subs + b) * QUADS * G;
                    int xo = i * cols + b * BLOCK;
                    int sum = xsum[i * subs + b];
                    ShortVector s = ShortVector.broadcast(S, (short) (-8 * sum));
                    for (int k = 0; k < QUADS; k++, wo += G, xo += 4) {
                        ShortVector w = ShortVector.fromArray(S, q, wo);
                        s = w.and(LOW).mul(xq[xo])
                                .add(w.lanewise(VectorOperators.LSHR, 4).and(LOW).mul(xq[xo + 1]))
                                .add(w.lanewise(VectorOperators.LSHR, 8).and(LOW).mul(xq[xo + 2]))
                                .add(w.lanewise(VectorOperators.LSHR, 12).mul(xq[xo + 3]))
                                .add(s);
                    }
                    IntVector is = ShortVector.zero(S).add(s).reinterpretAsInts();
                    IntVector c = ShortVector.fromArray(S, scm, (g * subs + b) * G).reinterpretAsInts();
                    float sx = xs[i * subs + b];
                    float fx = sum;
                    FloatVector i0 = (FloatVector) is.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(8 * sum).convert(VectorOperators.I2F, 0);
                    FloatVector i1 = (FloatVector) is.lanewise(VectorOperators.ASHR, 16).add(8 * sum)
                            .convert(VectorOperators.I2F, 0);
                    FloatVector sc0 = (FloatVector) c.and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector sc1 = (FloatVector) c.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector mn0 = (FloatVector) c.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector mn1 = (FloatVector) c.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0);
                    a0 = d0.mul(sc0).mul(sx).mul(i0).sub(m0.mul(mn0).mul(sx).mul(fx)).add(a0);
                    a1 = d1.mul(sc1).mul(sx).mul(i1).sub(m1.mul(mn1).mul(sx).mul(fx)).add(a1);
                }
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
            for (int sb = 0; sb < supers; sb++) {
                IntVector dv = ShortVector.fromArray(S, d, (g * supers + sb) * G).reinterpretAsInts();     // fp16, see RowGroups
                IntVector mv = ShortVector.fromArray(S, dmin, (g * supers + sb) * G).reinterpretAsInts();
                IntVector e0 = dv.lanewise(VectorOperators.LSHL, 16);
                IntVector e1 = dv.and(0xFFFF_0000);
                IntVector f0 = mv.lanewise(VectorOperators.LSHL, 16);
                IntVector f1 = mv.and(0xFFFF_0000);
                FloatVector d0 = e0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e0.and(SIGN)).reinterpretAsFloats();
                FloatVector d1 = e1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(e1.and(SIGN)).reinterpretAsFloats();
                FloatVector m0 = f0.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(f0.and(SIGN)).reinterpretAsFloats();
                FloatVector m1 = f1.and(0x7FFF_0000).lanewise(VectorOperators.LSHR, 3).reinterpretAsFloats().mul(FP16)
                        .reinterpretAsInts().or(f1.and(SIGN)).reinterpretAsFloats();
                for (int b = sb * SUBS; b < (sb + 1) * SUBS; b++) {
                    int wo = (g * subs + b) * QUADS * G;
                    int xo = i * cols + b * BLOCK;
                    int sum = xsum[i * subs + b];
                    int tum = xsum[(i + 1) * subs + b];
                    ShortVector s = ShortVector.broadcast(S, (short) (-8 * sum));
                    ShortVector t = ShortVector.broadcast(S, (short) (-8 * tum));
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
                    IntVector is = ShortVector.zero(S).add(s).reinterpretAsInts();
                    IntVector it = ShortVector.zero(S).add(t).reinterpretAsInts();
                    IntVector c = ShortVector.fromArray(S, scm, (g * subs + b) * G).reinterpretAsInts();
                    float sx = xs[i * subs + b];
                    float tx = xs[(i + 1) * subs + b];
                    float fx = sum;
                    float gx = tum;
                    FloatVector sc0 = (FloatVector) c.and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector sc1 = (FloatVector) c.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector mn0 = (FloatVector) c.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0);
                    FloatVector mn1 = (FloatVector) c.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0);
                    FloatVector ds0 = d0.mul(sc0);
                    FloatVector ds1 = d1.mul(sc1);
                    FloatVector dm0 = m0.mul(mn0);
                    FloatVector dm1 = m1.mul(mn1);
                    FloatVector i0 = (FloatVector) is.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(8 * sum).convert(VectorOperators.I2F, 0);
                    FloatVector i1 = (FloatVector) is.lanewise(VectorOperators.ASHR, 16).add(8 * sum)
                            .convert(VectorOperators.I2F, 0);
                    a0 = ds0.mul(sx).mul(i0).sub(dm0.mul(sx).mul(fx)).add(a0);
                    a1 = ds1.mul(sx).mul(i1).sub(dm1.mul(sx).mul(fx)).add(a1);
                    FloatVector k0 = (FloatVector) it.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(8 * tum).convert(VectorOperators.I2F, 0);
                    FloatVector k1 = (FloatVector) it.lanewise(VectorOperators.ASHR, 16).add(8 * tum)
                            .convert(VectorOperators.I2F, 0);
                    c0 = ds0.mul(tx).mul(k0).sub(dm0.mul(tx).mul(gx)).add(c0);
                    c1 = ds1.mul(tx).mul(k1).sub(dm1.mul(tx).mul(gx)).add(c1);
                }
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
        float sum = 0f;
        for (int b = 0; b < subs; b++) {
            int s = b / SUBS;
            int isum = 0;
            int xsum = 0;
            for (int l = 0; l < BLOCK; l++) {
                int v = x.values()[xRow * cols + b * BLOCK + l];
                isum += nibble(row, b, l) * v;
                xsum += v;
            }
            float xs = x.scales()[xRow * subs + b];
            sum += d(row, s) * sc(row, b) * xs * isum - dmin(row, s) * m(row, b) * xs * xsum;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < subs; b++) {
            float dj = d(row, b / SUBS) * sc(row, b);
            float mj = dmin(row, b / SUBS) * m(row, b);
            for (int l = 0; l < BLOCK; l++) {
                out[off + b * BLOCK + l] = dj * nibble(row, b, l) - mj;
            }
        }
    }
}
