package dev.hearth.engine.io;

/**
 * Conversions between float32 and the narrower float formats checkpoints store: F16 and BF16 both
 * ways, F8_E5M2 and F8_E4M3 to float. Encoding rounds to nearest, ties to even; values too large
 * become infinity, tiny ones become subnormals or zero, and NaN stays NaN (never turns into
 * infinity by losing its payload).
 */
public final class NarrowFloats {
    private NarrowFloats() {}

    /** IEEE half-precision bits of {@code f}, rounded to nearest even. */
    public static short toF16(float f) {
        return Float.floatToFloat16(f);
    }

    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * bfloat16 bits of {@code f}: the top half of its float32 bits after rounding the bottom half
     * to nearest, ties to even. Adding {@code 0x7FFF} plus the lowest kept bit carries into the
     * kept half exactly when the dropped half is above one half, or exactly one half with an odd
     * kept half; a carry out of the largest finite value lands on infinity, as IEEE rounding does.
     */
    public static short toBF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            // Keep the sign, force a quiet NaN: payloads that live only in the low half would
            // otherwise truncate to the bit pattern of infinity.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    public static float fromBF16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** F8_E5M2 is the top byte of an F16. */
    public static float fromF8E5M2(byte bits) {
        return Float.float16ToFloat((short) ((bits & 0xFF) << 8));
    }

    private static final float[] E4M3 = e4m3Table();

    /** F8_E4M3 (the "FN" variant: bias 7, no infinities, only S.1111.111 is NaN). */
    public static float fromF8E4M3(byte bits) {
        return E4M3[bits & 0xFF];
    }

    private static float[] e4m3Table() {
        float[] t = new float[256];
        for (int b = 0; b < 256; b++) {
            int sign = b >>> 7;
            int exp = (b >>> 3) & 0xF;
            int mant = b & 0x7;
            float v;
            if (exp == 0xF && mant == 0x7) {
                v = Float.NaN;
            } else if (exp == 0) {
                v = Math.scalb(mant / 8f, -6); // subnormal
            } else {
                v = Math.scalb(1f + mant / 8f, exp - 7);
            }
            t[b] = sign == 1 ? -v : v;
        }
        return t;
    }
}
