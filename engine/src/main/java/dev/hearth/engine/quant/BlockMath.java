package dev.hearth.engine.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
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

    /** The 16 short lanes of {@code p} summed pairwise (lane i + lane i+8) as 8 floats. */
    static FloatVector pairSum(ShortVector p) {
        IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I256, 0);
        IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I256, 1);
        return (FloatVector) lo.add(hi).convert(VectorOperators.I2F, 0);
    }
}
