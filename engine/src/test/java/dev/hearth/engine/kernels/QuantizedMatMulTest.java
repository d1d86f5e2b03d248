package dev.hearth.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.quant.Q8Activations;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.Q8_0Matrix;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the scalar reference (same integer sums, so only the float
 * summation order differs), and against float32 products with the dequantized weight, where the
 * only difference left is the 8-bit rounding of the activations, bounded per term.
 */
class QuantizedMatMulTest {

    private static float[] gaussian(Rng rng, int n, float std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian() * std;
        }
        return x;
    }

    @Test
    void fastKernelsMatchTheScalarReference() {
        Rng rng = new Rng(11);
        for (QuantFormat f : QuantFormat.values()) {
            for (int[] shape : new int[][] {{1, 37, 96}, {3, 40, 64}, {4, 33, 32}, {9, 70, 288}, {5, 600, 256}}) {
                int m = shape[0];
                int out = shape[1];
                int in = roundUp(shape[2], f.blockSize());          // q4_k: 256, 512
                QuantizedMatrix w = QuantizedMatrix.quantize(f, gaussian(rng, out * in, 0.05f), 0, out, in);
                float[] x = gaussian(rng, m * in + 3, 1f);
                float[] fast = new float[m * out + 2];
                float[] ref = new float[m * out + 2];
                QuantizedMatMul.linear(w, x, 3, m, fast, 2);
                QuantizedMatMul.linearReference(w, x, 3, m, ref, 2);
                float[] abs = absProducts(w, x, 3, m);
                for (int i = 0; i < m * out; i++) {
                    assertThat(Math.abs(fast[2 + i] - ref[2 + i])).as("%s m=%d out=%d in=%d at %d", f, m, out, in, i)
                            .isLessThanOrEqualTo(1e-5f * abs[i] + 1e-30f);
                }
            }
        }
    }

    @Test
    void productOfARangeOfRowsAgreesWithTheReferenceRowByRow() {
        Rng rng = new Rng(12);
        for (QuantFormat f : QuantFormat.values()) {
            int in = roundUp(128, f.blockSize());
            QuantizedMatrix w = QuantizedMatrix.quantize(f, gaussian(rng, 5 * in, 1f), 0, 5, in);
            for (int m = 1; m <= 3; m++) {
                Q8Activations x = Q8Activations.quantize(gaussian(rng, m * in, 1f), 0, m, in);
                float[] out = new float[1 + m * 5];
                for (int i = 0; i < m; i++) {
                    if (i + 1 < m && i % 2 == 0) {
                        w.productPair(x, i, 1, 4, out, 1);    // weight rows 1..3 only
                    } else if (i % 2 == 0) {
                        w.productRow(x, i, 1, 4, out, 1);
                    }
                }
                for (int i = 0; i < m; i++) {
                    for (int r = 0; r < 5; r++) {
                        float got = out[1 + i * 5 + r];
                        if (r < 1 || r >= 4) {
                            assertThat(got).as("%s row %d is outside the range", f, r).isZero();
                        } else {
                            assertThat(got).as("%s m=%d x row %d, w row %d", f, m, i, r)
                                    .isCloseTo(w.dotReference(r, x, i), org.assertj.core.data.Offset.offset(1e-4f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void quantizedProductIsTheFloatProductWithTheDequantizedWeightUpToActivationRounding() {
        Rng rng = new Rng(13);
        int m = 6;
        int out = 50;
        for (QuantFormat f : QuantFormat.values()) {
            int in = roundUp(160, f.blockSize());
            QuantizedMatrix w = QuantizedMatrix.quantize(f, gaussian(rng, out * in, 0.05f), 0, out, in);
            float[] wd = w.dequantize().data();
            float[] x = gaussian(rng, m * in, 1f);
            float[] y = new float[m * out];
            QuantizedMatMul.linear(w, x, 0, m, y, 0);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < out; j++) {
                    double exact = 0;
                    double bound = 0;
                    for (int b = 0; b < in / 32; b++) {
                        float amax = 0f;
                        for (int k = 0; k < 32; k++) {
                            amax = Math.max(amax, Math.abs(x[i * in + b * 32 + k]));
                        }
                        for (int k = b * 32; k < b * 32 + 32; k++) {
                            exact += (double) wd[j * in + k] * x[i * in + k];
                            bound += Math.abs(wd[j * in + k]) * (amax / 127.0 / 2 * 1.0001);  // half an 8-bit step
                        }
                    }
                    assertThat(Math.abs(y[i * out + j] - exact)).as("%s (%d, %d)", f, i, j)
                            .isLessThanOrEqualTo(bound + 1e-5);
                }
            }
        }
    }

    @Test
    void groupedKernelsAreTheReferenceToTheLastBit() {
        // every format's kernels run the reference's own operations on groups of rows side by
        // side: the same bits for any row count (groups padded or not), one or two activation rows
        Rng rng = new Rng(15);
        for (QuantFormat f : QuantFormat.values()) {
            int in = f == QuantFormat.Q4_K ? 512 : 96;
            for (int out : new int[] {1, 15, 31, 33, 70, 100}) {
                QuantizedMatrix w = QuantizedMatrix.quantize(f, gaussian(rng, out * in, 0.05f), 0, out, in);
                for (int m = 1; m <= 4; m++) {
                    float[] x = gaussian(rng, m * in, 1f);
                    float[] fast = new float[m * out];
                    float[] ref = new float[m * out];
                    QuantizedMatMul.linear(w, x, 0, m, fast, 0);
                    QuantizedMatMul.linearReference(w, x, 0, m, ref, 0);
                    assertThat(fast).as("%s out=%d m=%d", f, out, m).containsExactly(ref);
                }
            }
        }
    }

    @Test
    void q8_0ProductsAtTheEdgesOfSixteenBitsAreExact() {
        // -128 (which ggml's files may hold, though its quantizer never writes it) times -127 in
        // every element: each pair of products is 32,512, next to a 16-bit lane's limit
        byte[] blocks = new byte[34];
        blocks[1] = 0x3C;                                // d = 1.0
        java.util.Arrays.fill(blocks, 2, 34, (byte) -128);
        QuantizedMatrix q = Q8_0Matrix.ofBlocks(blocks, 1, 32);
        float[] x = new float[32];
        java.util.Arrays.fill(x, -1f);                   // quantized to -127, scale 1/127
        float[] fast = new float[1];
        float[] ref = new float[1];
        QuantizedMatMul.linear(q, x, 0, 1, fast, 0);
        QuantizedMatMul.linearReference(q, x, 0, 1, ref, 0);
        assertThat(fast).containsExactly(ref);
        assertThat(ref[0]).isEqualTo(32 * 128f, org.assertj.core.data.Offset.offset(1e-2f));
    }

    @Test
    void q4_0SumsAtTheEdgesOfSixteenBitsAreExact() {
        // nibbles 0 and 15 against activations of +-127 in every element: sum(nibble * x) reaches
        // 60,960, past a 16-bit lane, and the result -8 * 32 * 127 = -32,512
        float[] w = new float[3 * 32];
        for (int k = 0; k < 32; k++) {
            w[k] = -1f;                                  // all nibble 0 (weight -8 d)
            w[32 + k] = k == 0 ? -8f : 7f;               // nibble 0, then nibble 15 (weight 7 d)
            w[64 + k] = k % 2 == 0 ? -8f : 7f;
        }
        QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q4_0, w, 0, 3, 32);
        for (float sign : new float[] {1f, -1f}) {
            float[] x = new float[2 * 32];
            for (int k = 0; k < 64; k++) {
                x[k] = k < 32 ? sign : (k % 2 == 0 ? sign : -sign);
            }
            float[] fast = new float[2 * 3];
            float[] ref = new float[2 * 3];
            QuantizedMatMul.linear(q, x, 0, 2, fast, 0);
            QuantizedMatMul.linearReference(q, x, 0, 2, ref, 0);
            assertThat(fast).containsExactly(ref);
            assertThat(ref[0]).isEqualTo(-32f * sign, org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Rng rng = new Rng(14);
        for (QuantFormat f : new QuantFormat[] {QuantFormat.Q4_0, QuantFormat.Q4_K}) {
            QuantizedMatrix w = QuantizedMatrix.quantize(f, gaussian(rng, 1000 * 256, 0.05f), 0, 1000, 256);
            for (int m : new int[] {1, 7}) {
                float[] x = gaussian(rng, m * 256, 1f);
                float[] two = new float[m * 1000];
                float[] one = new float[m * 1000];
                try (ComputePool p2 = new ComputePool(2); ComputePool p1 = new ComputePool(1)) {
                    ComputePool.runWith(p2, () -> QuantizedMatMul.linear(w, x, 0, m, two, 0));
                    ComputePool.runWith(p1, () -> QuantizedMatMul.linear(w, x, 0, m, one, 0));
                }
                assertThat(two).as("%s m=%d", f, m).containsExactly(one);
            }
        }
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** Sum over k of |w (dequantized)| * |x|: the scale of each output, for relative tolerances. */
    private static float[] absProducts(QuantizedMatrix w, float[] x, int xOff, int m) {
        float[] wd = w.dequantize().data();
        int in = w.cols();
        float[] out = new float[m * w.rows()];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < w.rows(); j++) {
                double s = 0;
                for (int k = 0; k < in; k++) {
                    s += Math.abs(wd[j * in + k] * x[xOff + i * in + k]);
                }
                out[i * w.rows() + j] = (float) s;
            }
        }
        return out;
    }
}
