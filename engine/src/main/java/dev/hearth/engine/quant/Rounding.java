package dev.hearth.engine.quant;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The rounding llama.cpp's reference quantizers use, so that our bytes are theirs. */
final class Rounding {
    private Rounding() {}

    /** C's {@code roundf}: to nearest, halves away from zero (Math.round sends -2.5 to -2). */
    static int roundf(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5); // exact in double for every float
        return (int) (v < 0 ? -a : a);
    }

    /** The fp16 bits of {@code v}, round to nearest even (as F16C's {@code _cvtss_sh(v, 0)}). */
    static short fp16(float v) {
        return Float.floatToFloat16(v);
    }

    /** An fp16 as ggml stores it in its blocks: two bytes, little-endian, at any offset. */
    static final ValueLayout.OfShort FP16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static void putFp16(byte[] b, int o, short h) {
        b[o] = (byte) h;
        b[o + 1] = (byte) (h >> 8);
    }
}
