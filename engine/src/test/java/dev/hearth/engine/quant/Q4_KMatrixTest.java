package dev.hearth.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.tensor.Rng;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Q4_K: the bytes llama.cpp's {@code quantize_row_q4_K_ref} writes for the same floats, the
 * super-block layout (6-bit scales and mins packed in 12 bytes, values two sub-blocks per 32
 * bytes), the exact round trip of any bytes, the quantization error, and bad input.
 */
class Q4_KMatrixTest {

    /**
     * What libggml-base's {@code quantize_row_q4_K_ref} (llama.cpp, built on this machine) wrote for
     * {@link #goldenInput()}: two super-blocks, the second with an all-zero first sub-block.
     */
    private static final String GGML_BYTES = ""
            + "52101e16fdfdfffdfdfdfffdffdeefef1c2435d65666656e5342d1201000090102a32435465f6665f45342312a100090"
            + "0000910213243e4656f66564534b3120a00000010b1324c54656666e6453e23142c1201000090102a32435465f6665f4"
            + "534231291000900102132d3546e66665f66564534b3120a00000010b1324c54656666e6453d231201009000192132435"
            + "c802b40fc0fcfcffc0fffefffcfcffec20b0f0800030d0f0600050e0e0500060f0d0300080f0b02010a0f0a01020b0f0"
            + "c8e0630d5fd6d0550e6ee5c0360f8df3b0281f9bf2911a2fbaf1820b3fc8e063e0550e6ef5d0360f8df3b0281fabf2a1"
            + "1a2fbaf1820b3fd8f0630d5fe6e0550e360e8cf3b0281fabf2a1192fb9f1820b3fd8f0630c5ee6e0550d6df5d0360e8c";

    private static float[] goldenInput() {
        float[] x = new float[512];
        for (int i = 0; i < 256; i++) {
            x[i] = (float) Math.sin(i * 0.37) * 0.1f + (i % 7 == 0 ? 0.3f : 0f);
        }
        for (int i = 32; i < 256; i++) {
            x[256 + i] = (float) Math.cos(i * 1.3) * 0.02f - 0.01f;
        }
        return x;
    }

    @Test
    void quantizesToTheBytesLlamaCppWrites() {
        byte[] expected = HexFormat.of().parseHex(GGML_BYTES);
        assertThat(Q4_KMatrix.quantize(goldenInput(), 0, 1, 512).blocks()).containsExactly(expected);
        assertThat(Q4_KMatrix.quantize(goldenInput(), 0, 2, 256).blocks()).containsExactly(expected);
    }

    @Test
    void nearestIntRoundsHalvesToEvenAsGgml() {
        assertThat(Q4_KMatrix.nearestInt(2.5f)).isEqualTo(2);
        assertThat(Q4_KMatrix.nearestInt(3.5f)).isEqualTo(4);
        assertThat(Q4_KMatrix.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(Q4_KMatrix.nearestInt(14.49f)).isEqualTo(14);
        assertThat(Q4_KMatrix.nearestInt(0.5f)).isZero();
    }

    @Test
    void scalesAndMinsUnpackAsGgmlsGetScaleMinK4() {
        // d = 1, dmin = 0.5; sub-block j has scale 10 + j (j < 4) or 40 + j (j >= 4, using the top bits)
        // and min 2j (j < 4) or 33 + j; every value q = 3 in the low nibbles, 12 in the high ones
        byte[] b = new byte[144];
        short one = Float.floatToFloat16(1f);
        short half = Float.floatToFloat16(0.5f);
        b[0] = (byte) one;
        b[1] = (byte) (one >> 8);
        b[2] = (byte) half;
        b[3] = (byte) (half >> 8);
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = j < 4 ? 10 + j : 40 + j;
            mn[j] = j < 4 ? 2 * j : 33 + j;
        }
        for (int j = 0; j < 4; j++) {
            b[4 + j] = (byte) (sc[j] | (sc[j + 4] >> 4) << 6);
            b[8 + j] = (byte) (mn[j] | (mn[j + 4] >> 4) << 6);
            b[12 + j] = (byte) ((sc[j + 4] & 0xF) | (mn[j + 4] & 0xF) << 4);
        }
        for (int l = 0; l < 128; l++) {
            b[16 + l] = (byte) (3 | 12 << 4);
        }
        float[] w = new float[256];
        Q4_KMatrix q = Q4_KMatrix.ofBlocks(b, 1, 256);
        q.dequantizeRow(0, w, 0);
        for (int j = 0; j < 8; j++) {
            int value = j % 2 == 0 ? 3 : 12;          // sub-block 2p: low nibbles of bytes 32p.., 2p + 1: high ones
            for (int l = 0; l < 32; l++) {
                assertThat(w[j * 32 + l]).as("sub-block %d element %d", j, l).isEqualTo(sc[j] * value - 0.5f * mn[j]);
            }
        }
        assertThat(q.blocks()).containsExactly(b);
    }

    @Test
    void anyBytesRoundTripExactly() {
        Rng rng = new Rng(5);
        byte[] b = new byte[3 * 2 * 144];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        assertThat(Q4_KMatrix.ofBlocks(b, 3, 512).blocks()).containsExactly(b);
        Q4_KMatrix q = Q4_KMatrix.quantize(goldenInput(), 0, 2, 256);
        assertThat(Q4_KMatrix.ofBlocks(q.blocks(), 2, 256).dequantize().data()).containsExactly(q.dequantize().data());
    }

    @Test
    void errorStaysWithinAStepAndBelowQ4_0s() {
        Rng rng = new Rng(3);
        int rows = 16;
        int cols = 512;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * (i % 97 == 0 ? 0.3f : 0.05f);
        }
        float[] k = QuantizedMatrix.quantize(QuantFormat.Q4_K, w, 0, rows, cols).dequantize().data();
        float[] z = QuantizedMatrix.quantize(QuantFormat.Q4_0, w, 0, rows, cols).dequantize().data();
        double errK = 0;
        double errZ = 0;
        for (int s = 0; s < w.length / 256; s++) {
            float[] range = new float[8];
            float superRange = 0f;
            for (int j = 0; j < 8; j++) {
                float min = 0f;                              // a min above zero is clamped to zero
                float max = -Float.MAX_VALUE;
                for (int i = s * 256 + j * 32; i < s * 256 + j * 32 + 32; i++) {
                    min = Math.min(min, w[i]);
                    max = Math.max(max, w[i]);
                }
                range[j] = max - min;
                superRange = Math.max(superRange, range[j]);
            }
            for (int j = 0; j < 8; j++) {
                // one step of 16 levels over the sub-block's range, plus what rounding its scale and min to
                // 6 bits of the super-block's largest can add (half of 1/63 of each, times up to 15 levels)
                float bound = range[j] / 15f + superRange / 63f;
                for (int i = s * 256 + j * 32; i < s * 256 + j * 32 + 32; i++) {
                    assertThat(Math.abs(k[i] - w[i])).as("at %d", i).isLessThanOrEqualTo(bound);
                    errK += (k[i] - w[i]) * (k[i] - w[i]);
                    errZ += (z[i] - w[i]) * (z[i] - w[i]);
                }
            }
        }
        // a min per sub-block and a fitted scale: clearly less error than Q4_0 at the same 4.5 bits
        assertThat(errK).isLessThan(0.8 * errZ);
    }

    @Test
    void sizeIsThatOfTheFormatPlusUnpackedScales() {
        Q4_KMatrix q = Q4_KMatrix.quantize(new float[64 * 512], 0, 64, 512);   // 64 rows: no padded group
        assertThat(q.blocks()).hasSize(64 * 2 * 144);
        assertThat(QuantFormat.Q4_K.rowBytes(512)).isEqualTo(288);
        assertThat(q.byteSize()).isEqualTo(64 * 2 * (144 + 4));    // 12 packed bytes held as 16
        float[] back = q.dequantize().data();
        assertThat(back).containsOnly(0f);
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q4_K, new float[3 * 288], 0, 3, 288))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("q4_k")
                .hasMessageContaining("multiple of 256").hasMessageContaining("288 columns");
        assertThatThrownBy(() -> Q4_KMatrix.ofBlocks(new byte[143], 1, 256)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("144 bytes, not 143");
        assertThatThrownBy(() -> Q4_KMatrix.ofBlocks(new byte[144], 1, 128)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("multiple of 256");
        assertThat(QuantFormat.parse("Q4_K")).isEqualTo(QuantFormat.Q4_K);
    }
}
