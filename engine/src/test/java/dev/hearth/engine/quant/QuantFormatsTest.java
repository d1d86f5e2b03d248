package dev.hearth.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The three storage formats: the exact bytes llama.cpp's reference quantizers write for chosen
 * values (halves, ties, clamps), the block layout, the quantization error bound of each format,
 * and the errors for bad input.
 */
class QuantFormatsTest {

    private static float[] block(float... head) {
        float[] x = new float[32];
        System.arraycopy(head, 0, x, 0, head.length);
        return x;
    }

    @Test
    void q8_0RoundsHalvesAwayFromZeroAsRoundf() {
        // max |x| = 127 gives d = 1 (fp16 0x3C00) and q = roundf(x)
        float[] x = block(127f, 2.5f, -2.5f, 0.5f, -0.5f, 1.4999999f, 3.5f, -126.5f, 0.49999997f);
        byte[] b = Q8_0Matrix.quantize(x, 0, 1, 32).blocks();
        assertThat(b).hasSize(34);
        assertThat(b[0]).isEqualTo((byte) 0x00);
        assertThat(b[1]).isEqualTo((byte) 0x3C);
        assertThat(new byte[] {b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10]})
                .containsExactly(127, 3, -3, 1, -1, 1, 4, -127, 0);
        for (int j = 11; j < 34; j++) {
            assertThat(b[j]).isZero();
        }
    }

    @Test
    void q8_0ScaleIsAmaxOver127InFp16AndQuantsUseTheFp32Inverse() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j - 16;                               // amax 16: d = 16/127
        }
        byte[] b = Q8_0Matrix.quantize(x, 0, 1, 32).blocks();
        short h = Float.floatToFloat16(16f / 127f);
        assertThat(b[0]).isEqualTo((byte) h);
        assertThat(b[1]).isEqualTo((byte) (h >> 8));
        assertThat(b[2]).isEqualTo((byte) -127);        // -16 * (127/16)
        assertThat(b[2 + 31]).isEqualTo((byte) 119);     // 15 * 7.9375 = 119.06
        assertThat(b[2 + 16]).isEqualTo((byte) 0);
        assertThat(b[2 + 17]).isEqualTo((byte) 8);       // 1 * 7.9375
    }

    @Test
    void q4_0PacksElementJLowAndJPlus16HighWithTruncatingRounding() {
        // the largest magnitude is -8: d = -8 / -8 = 1, nibble = min(15, (int) (x + 8.5))
        float[] x = new float[32];
        x[0] = -8f;
        x[1] = 0.49f;    // 8.99 -> 8
        x[2] = 0.5f;     // 9.0  -> 9 (halves round up, not away from zero)
        x[3] = -0.5f;    // 8.0  -> 8
        x[4] = -0.51f;   // 7.99 -> 7
        x[16] = 7f;      // 15.5 -> 15, high nibble of byte 0
        x[17] = 7.9f;    // 16.4 -> 16 -> clamped to 15
        x[18] = -7.6f;   // 0.9 -> 0
        byte[] b = Q4_0Matrix.quantize(x, 0, 1, 32).blocks();
        assertThat(b).hasSize(18);
        assertThat(b[0]).isEqualTo((byte) 0x00);
        assertThat(b[1]).isEqualTo((byte) 0x3C);          // d = 1.0
        assertThat(b[2] & 0xFF).isEqualTo(0x00 | 15 << 4);
        assertThat(b[3] & 0xFF).isEqualTo(8 | 15 << 4);
        assertThat(b[4] & 0xFF).isEqualTo(9 | 0 << 4);
        assertThat(b[5] & 0xFF).isEqualTo(8 | 8 << 4);
        assertThat(b[6] & 0xFF).isEqualTo(7 | 8 << 4);
        assertThat(b[7] & 0xFF).isEqualTo(8 | 8 << 4);    // zeros are nibble 8
    }

    @Test
    void q4_0TakesTheFirstElementOfLargestMagnitudeAndItsSign() {
        float[] x = block(-4f, 4f, 2f);                    // tie: -4 comes first, d = -4 / -8 = 0.5
        byte[] b = Q4_0Matrix.quantize(x, 0, 1, 32).blocks();
        assertThat(Float.float16ToFloat((short) ((b[0] & 0xFF) | (b[1] << 8)))).isEqualTo(0.5f);
        assertThat(b[2] & 0x0F).isEqualTo(0);              // -4 * 2 + 8.5 = 0.5 -> 0
        assertThat(b[3] & 0x0F).isEqualTo(15);             // 4 * 2 + 8.5 = 16.5 -> 16 -> 15
        assertThat(b[4] & 0x0F).isEqualTo(12);             // 2 * 2 + 8.5 = 12.5 -> 12
        float[] y = block(8f, -7f, -8f);                   // positive extreme: d = -1
        byte[] c = Q4_0Matrix.quantize(y, 0, 1, 32).blocks();
        assertThat(Float.float16ToFloat((short) ((c[0] & 0xFF) | (c[1] << 8)))).isEqualTo(-1f);
        assertThat(c[2] & 0x0F).isEqualTo(0);              // -8 + 8.5
        assertThat(c[3] & 0x0F).isEqualTo(15);             // 7 + 8.5
        assertThat(c[4] & 0x0F).isEqualTo(15);             // 8 + 8.5 = 16.5 -> clamped
        float[] back = new float[32];
        Q4_0Matrix.ofBlocks(c, 1, 32).dequantizeRow(0, back, 0);
        assertThat(back[0]).isEqualTo(8f);
        assertThat(back[1]).isEqualTo(-7f);
        assertThat(back[2]).isEqualTo(-7f);
    }

    @Test
    void blocksAreLaidOutRowByRowThenAlongTheInputDimension() {
        float[] w = new float[2 * 64];
        for (int r = 0; r < 2; r++) {
            for (int b = 0; b < 2; b++) {
                w[r * 64 + b * 32] = 127f * (1 + r * 2 + b); // block (r, b) has d = 1 + 2r + b
            }
        }
        byte[] q8 = Q8_0Matrix.quantize(w, 0, 2, 64).blocks();
        byte[] q4 = Q4_0Matrix.quantize(w, 0, 2, 64).blocks();
        assertThat(q8).hasSize(4 * 34);
        assertThat(q4).hasSize(4 * 18);
        for (int i = 0; i < 4; i++) {
            assertThat(Float.float16ToFloat((short) ((q8[i * 34] & 0xFF) | (q8[i * 34 + 1] << 8)))).isEqualTo(1f + i);
            assertThat(Float.float16ToFloat((short) ((q4[i * 18] & 0xFF) | (q4[i * 18 + 1] << 8))))
                    .isEqualTo(-127f * (1 + i) / 8f, org.assertj.core.data.Offset.offset(0.05f * (1 + i)));
        }
    }

    @Test
    void dequantizationErrorStaysWithinEachFormatsBound() {
        Rng rng = new Rng(3);
        int rows = 7;
        int cols = 96;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * (i % 5 == 0 ? 3f : 0.1f);
        }
        for (QuantFormat f : new QuantFormat[] {QuantFormat.Q8_0, QuantFormat.Q4_0, QuantFormat.INT8}) {
            // (q4_k needs widths of 256: Q4_KMatrixTest bounds its error)
            QuantizedMatrix q = QuantizedMatrix.quantize(f, w, 0, rows, cols);
            float[] back = q.dequantize().data();
            for (int r = 0; r < rows; r++) {
                float rowMax = 0f;
                for (int j = 0; j < cols; j++) {
                    rowMax = Math.max(rowMax, Math.abs(w[r * cols + j]));
                }
                for (int b = 0; b < cols / 32; b++) {
                    float amax = 0f;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(w[r * cols + b * 32 + j]));
                    }
                    // a step is amax/127 (q8_0), amax/8 (q4_0; the opposite extreme is clamped, one step off),
                    // rowMax/127 (int8); fp16 scales add at most 2^-11 relative per step
                    float bound = switch (f) {
                        case Q8_0 -> amax / 127f * 0.57f;
                        case Q4_0 -> amax / 8f * 1.01f;
                        case INT8 -> rowMax / 127f * 0.501f;
                        case Q4_K -> throw new AssertionError("not tested here");
                    };
                    for (int j = 0; j < 32; j++) {
                        int i = r * cols + b * 32 + j;
                        assertThat(Math.abs(back[i] - w[i])).as("%s at %d", f, i).isLessThanOrEqualTo(bound);
                    }
                }
            }
        }
    }

    @Test
    void sizesAreThoseOfTheFormats() {
        // Q8_0, Q4_0 and int8 keep their rows in groups of up to 32 (padded): 64 rows have no padding on any machine
        assertThat(QuantizedMatrix.quantize(QuantFormat.Q8_0, new float[64 * 64], 0, 64, 64).byteSize())
                .isEqualTo(64 * 2 * 34);
        assertThat(QuantizedMatrix.quantize(QuantFormat.Q4_0, new float[64 * 64], 0, 64, 64).byteSize())
                .isEqualTo(64 * 2 * 18);
        assertThat(QuantizedMatrix.quantize(QuantFormat.INT8, new float[64 * 64], 0, 64, 64).byteSize())
                .isEqualTo(64 * 64 + 64 * 4);
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q4_0, new float[3 * 40], 0, 3, 40))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("multiple of 32")
                .hasMessageContaining("40 columns");
        assertThatThrownBy(() -> QuantFormat.parse("q5_k")).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("q5_k").hasMessageContaining("q8_0, q4_0, int8, q4_k");
        assertThatThrownBy(() -> Q8_0Matrix.ofBlocks(new byte[33], 1, 32)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("34 bytes");
        assertThat(QuantFormat.parse("Q4_0")).isEqualTo(QuantFormat.Q4_0);
        byte[] q8 = new byte[2 * 34];
        q8[34 + 1] = 0x7C;                               // row 1's scale: fp16 infinity
        assertThatThrownBy(() -> Q8_0Matrix.ofBlocks(q8, 2, 32)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("block 0 of row 1").hasMessageContaining("Infinity");
        byte[] q4 = new byte[18];
        q4[0] = 0x01;
        q4[1] = 0x7E;                                    // NaN
        assertThatThrownBy(() -> Q4_0Matrix.ofBlocks(q4, 1, 32)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("block 0 of row 0 of a q4_0 matrix").hasMessageContaining("NaN");
        float[] huge = new float[32];
        huge[3] = 1e6f;                                  // scale 1e6 / -8 is past fp16's 65,504
        assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q4_0, huge, 0, 1, 32))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("beyond fp16's range");
    }
}
