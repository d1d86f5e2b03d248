package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** F16 and BF16 encoding rounds to nearest even, with NaN, infinities, overflow and subnormals right. */
class SafeTensorsFloatEncodingTest {

    /** The bf16 nearest to {@code f}, ties to even, found by comparing the two neighbours in double. */
    private static short bf16Oracle(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        int sign = bits & 0x8000_0000;
        int mag = bits & 0x7FFF_FFFF;
        int down = mag & 0xFFFF_0000;
        int up = down + 0x1_0000;
        double x = Float.intBitsToFloat(mag);
        double lo = Float.intBitsToFloat(down);
        // One step above the largest finite bf16 is "2^128" for rounding purposes.
        double hi = up >= 0x7F80_0000 ? Math.scalb(1.0, 128) : Float.intBitsToFloat(up);
        int chosen;
        if (x - lo < hi - x) {
            chosen = down;
        } else if (x - lo > hi - x) {
            chosen = up;
        } else {
            chosen = ((down >>> 16) & 1) == 0 ? down : up;
        }
        if (mag >= 0x7F80_0000) {
            chosen = mag; // infinity stays itself
        }
        return (short) ((sign | Math.min(chosen, 0x7F80_0000)) >>> 16);
    }

    @Test
    void bf16MatchesTheNearestEvenOracle() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            assertThat(NarrowFloats.toBF16(f)).as("bf16 of %s (0x%08x)", f, Float.floatToRawIntBits(f))
                    .isEqualTo(bf16Oracle(f));
        }
        // Every tie and near-tie pattern of the low half, over a few exponents and both signs.
        for (int high : new int[] {0x0000, 0x0001, 0x3F80, 0x3F81, 0x7F7E, 0x7F7F, 0x8000, 0xBF80, 0xFF7F}) {
            for (int low : new int[] {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF}) {
                float f = Float.intBitsToFloat(high << 16 | low);
                assertThat(NarrowFloats.toBF16(f)).as("bf16 of 0x%04x%04x", high, low).isEqualTo(bf16Oracle(f));
            }
        }
    }

    @Test
    void bf16SpecialValues() {
        assertThat(NarrowFloats.toBF16(1f)).isEqualTo((short) 0x3F80);
        assertThat(NarrowFloats.toBF16(-0f)).isEqualTo((short) 0x8000);
        assertThat(NarrowFloats.toBF16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(NarrowFloats.toBF16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        // Float.MAX_VALUE is past the last bf16 plus half a step: it overflows to infinity.
        assertThat(NarrowFloats.toBF16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
        assertThat(NarrowFloats.toBF16(-Float.MAX_VALUE)).isEqualTo((short) 0xFF80);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1). 1 + 3*2^-8 ties up to 1 + 2^-6.
        assertThat(NarrowFloats.fromBF16(NarrowFloats.toBF16(1f + 0x1p-8f))).isEqualTo(1f);
        assertThat(NarrowFloats.fromBF16(NarrowFloats.toBF16(1f + 3 * 0x1p-8f))).isEqualTo(1f + 0x1p-6f);
        // Subnormals keep their top bits; the smallest float rounds to zero.
        assertThat(NarrowFloats.toBF16(Float.MIN_VALUE)).isEqualTo((short) 0);
        assertThat(NarrowFloats.toBF16(Float.intBitsToFloat(0x0001_8000))).isEqualTo((short) 0x0002);
        // NaNs stay NaN with their sign, even when the payload is only in the dropped half.
        for (int nanBits : new int[] {0x7FC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF}) {
            short h = NarrowFloats.toBF16(Float.intBitsToFloat(nanBits));
            assertThat(NarrowFloats.fromBF16(h)).as("0x%08x", nanBits).isNaN();
            assertThat(h < 0).isEqualTo(nanBits < 0);
        }
    }

    @Test
    void f16RoundTripsEveryHalfValue() {
        for (int bits = 0; bits < 0x1_0000; bits++) {
            float f = NarrowFloats.fromF16((short) bits);
            if (Float.isNaN(f)) {
                assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(f))).isNaN();
            } else {
                assertThat(NarrowFloats.toF16(f) & 0xFFFF).as("half 0x%04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void f16SpecialValues() {
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(65504f))).isEqualTo(65504f);
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(65519.99f))).isEqualTo(65504f);
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(65520f))).isEqualTo(Float.POSITIVE_INFINITY); // tie -> even
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(-1e6f))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(0x1p-24f))).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(0x1p-25f))).isEqualTo(0f); // tie -> even (0)
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(0x1.000002p-25f))).isEqualTo(0x1p-24f);
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(3 * 0x1p-25f))).isEqualTo(0x1p-23f); // tie -> even (2 steps)
        assertThat(NarrowFloats.toF16(-0f)).isEqualTo((short) 0x8000);
        assertThat(NarrowFloats.fromF16(NarrowFloats.toF16(Float.NaN))).isNaN();
    }

    @Test
    void f8DecodingCoversEveryByte() {
        int e4m3Nans = 0;
        int e5m2Nans = 0;
        for (int b = 0; b < 256; b++) {
            float e4 = NarrowFloats.fromF8E4M3((byte) b);
            float e5 = NarrowFloats.fromF8E5M2((byte) b);
            e4m3Nans += Float.isNaN(e4) ? 1 : 0;
            e5m2Nans += Float.isNaN(e5) ? 1 : 0;
            assertThat(Float.isInfinite(e4)).as("E4M3 has no infinities").isFalse();
            if (!Float.isNaN(e4)) {
                assertThat(Math.abs(e4)).isLessThanOrEqualTo(448f);
                // Every E4M3 value is exact in bf16 (3 mantissa bits, small exponent).
                assertThat(NarrowFloats.fromBF16(NarrowFloats.toBF16(e4))).isEqualTo(e4);
            }
        }
        assertThat(e4m3Nans).isEqualTo(2); // 0x7F and 0xFF
        assertThat(e5m2Nans).isEqualTo(6); // exponent all ones, mantissa 01, 10, 11, both signs
        assertThat(NarrowFloats.fromF8E4M3((byte) 0x08)).isEqualTo(0x1p-6f); // smallest normal
        assertThat(NarrowFloats.fromF8E4M3((byte) 0x07)).isEqualTo(0x1.cp-7f); // largest subnormal: 7/8 * 2^-6
        assertThat(NarrowFloats.fromF8E4M3((byte) 0x80)).isEqualTo(-0f);
    }
}
