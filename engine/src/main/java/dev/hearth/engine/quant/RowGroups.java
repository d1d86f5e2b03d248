package dev.hearth.engine.quant;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row grouping every quantized format's kernels share (Q8_0, Q4_0, Q4_K, int8): weight rows
 * interleaved in groups of {@link #G}, the number of 16-bit lanes of the machine's vectors (32 with
 * AVX-512, 16 with AVX2, 8 with 128-bit vectors), so that one vector holds the same weights of G
 * rows and a kernel computes G outputs side by side, one per lane, with no sum across lanes.
 *
 * <p>Within a group, row r takes 16-bit lane {@link #lane}(r): rows 0..H on the even lanes and rows
 * H..G on the odd ones. A vector of 16-bit sums then splits into its even and odd lanes with two
 * shifts of its 32-bit lanes, which gives the group's two halves in row order, as two float vectors
 * ready to store. The fp16 block scales, one short per row, are laid out the same way. A last
 * group is padded with rows of zeros, computed and never written out.
 *
 * <p>How the kernels are written, each point measured (a slip costs 3-4x: C2 then boxes vectors):
 * <ul>
 * <li>A group's fp16 scales become floats in a few vector operations, exact for every finite
 *     value, zero and subnormals included: the fp16 bits taken to the top of a 32-bit lane,
 *     exponent and mantissa shifted to a float's places make the value times 2^-112, which
 *     multiplying by {@link #FP16} undoes; then the sign bit. Halves are split by shifts of the
 *     32-bit lanes, as above: {@code convertShape} to a wider shape (part 1) goes through a slice
 *     C2 may leave uninlined.
 * <li>Every step is written out in the kernel, no helper methods: a helper C2 had compiled on its
 *     own (as it does while the loop still runs in C1) is not inlined, and its vectors are boxed.
 * <li>A vector carried round a loop (a running sum) is only ever an argument, never the receiver
 *     ({@code w.mul(x).add(s)}, not {@code s.add(...)}), and leaves the loop through
 *     {@code zero().add(v)}: C2 types a loop variable by its declared class and binds a call on it
 *     through the type profile of the Vector API's own shared methods, which no longer binds once
 *     another kernel has used another vector size (measured while int8's and Q4_K's kernels were
 *     still 256-bit ones: int8 decode fell to half its speed in a process that also ran Q8_0).
 *     {@code 0 + v} is v: the sums start at +0 and so are never -0.
 * </ul>
 */
final class RowGroups {
    private RowGroups() {}

    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, S.vectorShape());
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    /** Rows per group: the 16-bit lanes of one vector. */
    static final int G = S.length();
    /** Rows per half group: the 32-bit (float) lanes of one vector. */
    static final int H = G / 2;

    /** fp16 bits moved to a float's places make its value times 2^-112; this undoes it. */
    static final float FP16 = 0x1p112f;
    static final int SIGN = 0x8000_0000;

    static int groups(int rows) {
        return (rows + G - 1) / G;
    }

    /** The 16-bit lane of row {@code r} in its group's vectors. */
    static int lane(int r) {
        int k = r % G;
        return k < H ? 2 * k : 2 * (k - H) + 1;
    }

    /** Index of row {@code r}'s entry in an array laid out (groups, blocks, per, G): entry {@code k} of its block {@code b}. */
    static int index(int r, int blocks, int b, int per, int k) {
        return ((r / G * blocks + b) * per + k) * G + lane(r);
    }

    /** Throws unless fp16 {@code scale} is finite: the kernels' conversion covers finite values only. */
    static void checkScale(short scale, QuantFormat format, int r, int b) {
        if ((scale & 0x7C00) == 0x7C00) {
            throw new QuantizationException("block " + b + " of row " + r + " of a " + format.id()
                    + " matrix has a scale of " + Float.float16ToFloat(scale)
                    + ": its weights are not finite or beyond fp16's range");
        }
    }

    /**
     * The outputs of group rows {@code g0..g0+G} held at {@code part[p]} (a group only partly in
     * the range asked for), those in {@code [j0, j1)}, to {@code y[yo + row]}.
     */
    static void copyIn(float[] part, int p, float[] y, int yo, int g0, int j0, int j1) {
        for (int j = Math.max(j0, g0); j < Math.min(j1, g0 + G); j++) {
            y[yo + j] = part[p + j - g0];
        }
    }

    /** Whether a group starting at row {@code g0} lies wholly in {@code [j0, j1)}. */
    static boolean whole(int g0, int j0, int j1) {
        return g0 >= j0 && g0 + G <= j1;
    }
}
