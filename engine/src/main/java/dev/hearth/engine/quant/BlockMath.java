package dev.hearth.engine.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API pieces every quantized dot product is built of, at a fixed 256-bit width (one
 * block of 32 int8 values is two 16-lane short vectors): widen 16 bytes to shorts, multiply
 * (int8 x int8 fits in a short, and so does the sum of two such products: |127 x 127| x 2 <
 * 32767), then widen the 16 short sums to two 8-lane int vectors, add them and convert to float
 * for a multiply-add with the block's scale.
 */
final class BlockMath {
    private BlockMath() {}

    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;

    /** 16 int8 at {@code a[o]} as 16 shorts. */
    static ShortVector widen(byte[] a, int o) {
        return (ShortVector) ByteVector.fromArray(B128, a, o).convertShape(VectorOperators.B2S, S256, 0);
    }

    /** 16 activation values (shorts) at {@code a[o]}. */
    static ShortVector shorts(short[] a, int o) {
        return ShortVector.fromArray(S256, a, o);
    }

    /**
     * The 16 short lanes of {@code p} summed in adjacent pairs as 8 floats: each int lane of p
     * holds two shorts, sign-extended apart by shifts (AVX2's pmaddwd is not reachable from the
     * Vector API; widening the upper half with a second conversion measured twice as slow).
     */
    static FloatVector pairSum(ShortVector p) {
        IntVector i = p.reinterpretAsInts();
        IntVector s = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(i.lanewise(VectorOperators.ASHR, 16));
        return (FloatVector) s.convert(VectorOperators.I2F, 0);
    }

    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromValues(F256, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromValues(F256, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromValues(F256, 1, 0, 3, 2, 5, 4, 7, 6);

    /**
     * The 8 lanes of {@code v} summed as a fixed tree ((0+4) + (2+6)) + ((1+5) + (3+7)), written
     * as lane-wise adds of shuffles so that C2 and the interpreter compute the very same sums
     * (reduceLanes' order differs between them, which made results depend on when the JIT had
     * run, and so on the thread count); summing lane by lane measured slower.
     */
    static float sumLanes(FloatVector v) {
        FloatVector h = v.add(v.rearrange(SWAP4));
        h = h.add(h.rearrange(SWAP2));
        return h.add(h.rearrange(SWAP1)).lane(0);
    }
}
