package dev.hearth.engine.quant;

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

    /** The fp16 bits stored little-endian at {@code b[o]}. */
    static short fp16Bits(byte[] b, int o) {
        return (short) ((b[o] & 0xFF) | (b[o + 1] << 8));
    }

    static void putFp16(byte[] b, int o, short h) {
        b[o] = (byte) h;
        b[o + 1] = (byte) (h >> 8);
    }
}
