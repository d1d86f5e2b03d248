package dev.hearth.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.kernels.Erf;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values of the fused operations against plain double-precision reference loops. */
class OpsForwardTest {

    private static Tensor rand(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), 1f, shape);
    }

    private static void assertClose(float[] actual, double[] expected, double tol) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element " + i).isCloseTo(expected[i], within(tol * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @Test
    void pointwiseFunctionsMatchDoublePrecision() {
        Tensor x = Tensor.uniform(new Rng(1), -6f, 6f, 1000);
        float[] v = x.toFloatArray();
        double[] gelu = new double[v.length];
        double[] geluTanh = new double[v.length];
        double[] silu = new double[v.length];
        double[] sigmoid = new double[v.length];
        double[] tanh = new double[v.length];
        double[] exp = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double a = v[i];
            gelu[i] = 0.5 * a * (1 + Erf.erf(a / Math.sqrt(2)));
            geluTanh[i] = 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
            sigmoid[i] = 1 / (1 + Math.exp(-a));
            silu[i] = a * sigmoid[i];
            tanh[i] = Math.tanh(a);
            exp[i] = Math.exp(a);
        }
        assertClose(x.gelu().toFloatArray(), gelu, 1e-6);
        assertClose(x.geluTanh().toFloatArray(), geluTanh, 1e-6);
        assertClose(x.silu().toFloatArray(), silu, 1e-6);
        assertClose(x.sigmoid().toFloatArray(), sigmoid, 1e-6);
        assertClose(x.tanh().toFloatArray(), tanh, 1e-6);
        assertClose(x.exp().toFloatArray(), exp, 1e-6);
    }

    @Test
    void erfMatchesKnownValues() {
        assertThat(Erf.erf(0)).isEqualTo(0);
        assertThat(Erf.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-15));
        assertThat(Erf.erf(1)).isCloseTo(0.8427007929497149, within(1e-15));
        assertThat(Erf.erf(-2)).isCloseTo(-0.9953222650189527, within(1e-15));
        assertThat(Erf.erf(3.5)).isCloseTo(0.9999992569016276, within(1e-15));
        assertThat(Erf.erf(12)).isEqualTo(1.0);
    }

    @Test
    void softmaxRowsAreStableAndSumToOne() {
        Tensor x = Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3);
        float[] s = x.softmax(-1).toFloatArray();
        double e1 = Math.exp(-1);
        double e2 = Math.exp(-2);
        double z = 1 + e1 + e2;
        assertClose(new float[] {s[0], s[1], s[2]}, new double[] {e2 / z, e1 / z, 1 / z}, 1e-6);
        float[] l = x.logSoftmax(-1).toFloatArray();
        assertThat((double) l[2]).isCloseTo(-Math.log(z), within(1e-5));
        assertThat(s[3] + s[4] + s[5]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void crossEntropyMatchesTheFormula() {
        Tensor logits = rand(2, 4, 6);
        int[] targets = {1, 5, -100, 0};
        float[] x = logits.toFloatArray();
        double total = 0;
        double smoothed = 0;
        int counted = 0;
        for (int r = 0; r < 4; r++) {
            if (targets[r] == -100) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 6; c++) {
                max = Math.max(max, x[r * 6 + c]);
            }
            double sum = 0;
            double mean = 0;
            for (int c = 0; c < 6; c++) {
                sum += Math.exp(x[r * 6 + c] - max);
                mean += x[r * 6 + c] / 6;
            }
            double lse = max + Math.log(sum);
            total += lse - x[r * 6 + targets[r]];
            smoothed += 0.8 * (lse - x[r * 6 + targets[r]]) + 0.2 * (lse - mean);
            counted++;
        }
        assertThat((double) Losses.crossEntropy(logits, targets, -100, 0f).item()).isCloseTo(total / counted, within(1e-5));
        assertThat((double) Losses.crossEntropy(logits, targets, -100, 0.2f).item()).isCloseTo(smoothed / counted, within(1e-5));
        assertThat(Losses.crossEntropy(logits, new int[] {-100, -100, -100, -100}, -100, 0f).item()).isNaN();
        assertThatThrownBy(() -> Losses.crossEntropy(logits, new int[] {1, 6, 0, 0})).isInstanceOf(HearthException.class)
                .hasMessageContaining("target 6 at row 1");
        assertThatThrownBy(() -> Losses.crossEntropy(logits, new int[] {1, 2})).isInstanceOf(ShapeException.class)
                .hasMessageContaining("2 targets");
    }

    @Test
    void attentionMatchesNaiveSoftmaxAttention() {
        int b = 2;
        int tq = 3;
        int tk = 5;
        int h = 4;
        int hkv = 2;
        int d = 3;
        Tensor q = rand(3, b, tq, h, d);
        Tensor k = rand(4, b, tk, hkv, d);
        Tensor v = rand(5, b, tk, hkv, d);
        float scale = 0.7f;
        for (boolean causal : new boolean[] {true, false}) {
            float[] out = Attention.scaledDotProduct(q, k, v, causal, scale).toFloatArray();
            double[] expected = new double[out.length];
            for (int bi = 0; bi < b; bi++) {
                for (int head = 0; head < h; head++) {
                    int kvh = head / (h / hkv);
                    for (int i = 0; i < tq; i++) {
                        int visible = causal ? i + tk - tq + 1 : tk;
                        double[] s = new double[visible];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < visible; j++) {
                            double dot = 0;
                            for (int c = 0; c < d; c++) {
                                dot += q.get(bi, i, head, c) * k.get(bi, j, kvh, c);
                            }
                            s[j] = dot * scale;
                            max = Math.max(max, s[j]);
                        }
                        double z = 0;
                        for (int j = 0; j < visible; j++) {
                            s[j] = Math.exp(s[j] - max);
                            z += s[j];
                        }
                        for (int c = 0; c < d; c++) {
                            double acc = 0;
                            for (int j = 0; j < visible; j++) {
                                acc += s[j] / z * v.get(bi, j, kvh, c);
                            }
                            expected[((bi * tq + i) * h + head) * d + c] = acc;
                        }
                    }
                }
            }
            assertClose(out, expected, 1e-5);
        }
    }

    @Test
    void convolutionMatchesTheDirectSum() {
        Tensor x = rand(6, 2, 3, 7, 6);
        Tensor w = rand(7, 4, 3, 3, 2 + 1);
        Tensor bias = rand(8, 4);
        int stride = 2;
        int pad = 1;
        Tensor y = Convolution.conv2d(x, w, bias, stride, pad);
        int oh = (7 + 2 - 3) / 2 + 1;
        int ow = (6 + 2 - 3) / 2 + 1;
        assertThat(y.shape().toArray()).containsExactly(2, 4, oh, ow);
        double[] expected = new double[y.numel()];
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 4; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = bias.get(o);
                        for (int c = 0; c < 3; c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy * stride + ky - pad;
                                    int ix = ox * stride + kx - pad;
                                    if (iy >= 0 && iy < 7 && ix >= 0 && ix < 6) {
                                        acc += x.get(n, c, iy, ix) * w.get(o, c, ky, kx);
                                    }
                                }
                            }
                        }
                        expected[((n * 4 + o) * oh + oy) * ow + ox] = acc;
                    }
                }
            }
        }
        assertClose(y.toFloatArray(), expected, 1e-5);
    }

    @Test
    void maxPoolTakesWindowMaxima() {
        Tensor x = Tensor.of(new float[] {
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16}, 1, 1, 4, 4);
        assertThat(Convolution.maxPool2d(x, 2, 2, 0).toFloatArray()).containsExactly(6, 8, 14, 16);
        assertThat(Convolution.maxPool2d(x, 3, 2, 1).toFloatArray()).containsExactly(6, 8, 14, 16);
        assertThat(Convolution.maxPool2d(x, 2, 1, 0).shape().toArray()).containsExactly(1, 1, 3, 3);
    }

    @Test
    void normalisationsMatchTheirDefinitions() {
        Tensor x = rand(9, 3, 8);
        Tensor w = rand(10, 8);
        Tensor b = rand(11, 8);
        float[] ln = Normalization.layerNorm(x, w, b, 1e-5f).toFloatArray();
        float[] rms = Normalization.rmsNorm(x, w, 1e-6f).toFloatArray();
        double[] lnExpected = new double[24];
        double[] rmsExpected = new double[24];
        for (int r = 0; r < 3; r++) {
            double mean = 0;
            double sq = 0;
            for (int c = 0; c < 8; c++) {
                mean += x.get(r, c) / 8.0;
                sq += x.get(r, c) * (double) x.get(r, c) / 8.0;
            }
            double var = 0;
            for (int c = 0; c < 8; c++) {
                var += Math.pow(x.get(r, c) - mean, 2) / 8.0;
            }
            for (int c = 0; c < 8; c++) {
                lnExpected[r * 8 + c] = (x.get(r, c) - mean) / Math.sqrt(var + 1e-5) * w.get(c) + b.get(c);
                rmsExpected[r * 8 + c] = x.get(r, c) / Math.sqrt(sq + 1e-6) * w.get(c);
            }
        }
        assertClose(ln, lnExpected, 1e-5);
        assertClose(rms, rmsExpected, 1e-5);
    }

    @Test
    void dropoutKeepsTheExpectationAndIsReproducible() {
        Tensor x = Tensor.ones(100_000);
        float[] a = Dropout.apply(x, 0.25f, 99).toFloatArray();
        float[] b = Dropout.apply(x, 0.25f, 99).toFloatArray();
        assertThat(a).containsExactly(b);
        int zeros = 0;
        double sum = 0;
        for (float v : a) {
            zeros += v == 0 ? 1 : 0;
            sum += v;
        }
        assertThat(zeros / 100_000.0).isCloseTo(0.25, within(0.01));
        assertThat(sum / 100_000.0).isCloseTo(1.0, within(0.02));
        assertThat(Dropout.apply(x, 0.25f, 100).toFloatArray()).isNotEqualTo(a);
    }

    @Test
    void embeddingRejectsOutOfRangeIds() {
        Tensor table = rand(12, 4, 2);
        assertThat(Embedding.lookup(table, new int[] {3, 0}, 2).toFloatArray())
                .containsExactly(table.get(3, 0), table.get(3, 1), table.get(0, 0), table.get(0, 1));
        assertThatThrownBy(() -> Embedding.lookup(table, new int[] {4}, 1)).isInstanceOf(HearthException.class)
                .hasMessageContaining("index 4").hasMessageContaining("4 rows");
    }

    @Test
    void ropeRotatesByTheAngleOfEachPositionFarOrNearAndRefusesNegativePositions() {
        // positions past the first table's 256 make it grow; each pair (i, i + D/2) is rotated by
        // position * theta^(-2i/D), computed here directly
        int d = 6;
        float theta = 10000f;
        int[] positions = {0, 5, 300, 1_000, 7};
        Tensor x = Tensor.randn(new Rng(9), 1f, 1, positions.length, 2, d);
        Tensor y = Attention.rope(x, positions, theta);
        for (int t = 0; t < positions.length; t++) {
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < d / 2; i++) {
                    double a = positions[t] * StrictMath.pow(theta, -2.0 * i / d);
                    float c = (float) StrictMath.cos(a);
                    float s = (float) StrictMath.sin(a);
                    float x1 = x.get(0, t, h, i);
                    float x2 = x.get(0, t, h, i + d / 2);
                    assertThat(y.get(0, t, h, i)).isEqualTo(x1 * c - x2 * s);
                    assertThat(y.get(0, t, h, i + d / 2)).isEqualTo(x2 * c + x1 * s);
                }
            }
        }
        assertThatThrownBy(() -> Attention.rope(x, new int[] {0, 1, -1, 2, 3}, theta))
                .isInstanceOf(ShapeException.class).hasMessageContaining("position -1 is negative");
    }

    @Test
    void oneQueryGivesTheLastRowOfCausalAttentionBitForBitHeadGroupsApart() {
        // 4 query heads over 2 key/value heads, 7 cached positions, head_dim 5 (not a vector width)
        int h = 4, hkv = 2, d = 5, tk = 7;
        Tensor q = Tensor.randn(new Rng(3), 1f, 1, 1, h, d);
        Tensor k = Tensor.randn(new Rng(4), 1f, 1, tk, hkv, d);
        Tensor v = Tensor.randn(new Rng(5), 1f, 1, tk, hkv, d);
        float scale = 0.37f;
        float[] expected = Attention.scaledDotProduct(q, k, v, true, scale).toFloatArray();
        float[] out = new float[h * d];
        float[] scores = new float[4 * tk];
        Attention.oneQuery(1, 2, h, hkv, d, tk, scale, q.toFloatArray(), 0, k.toFloatArray(), v.toFloatArray(), 0,
                out, 0, scores);
        Attention.oneQuery(0, 1, h, hkv, d, tk, scale, q.toFloatArray(), 0, k.toFloatArray(), v.toFloatArray(), 0,
                out, 0, scores);
        assertThat(out).containsExactly(expected);
        assertThatThrownBy(() -> Attention.oneQuery(0, 1, h, hkv, d, tk, scale, q.toFloatArray(), 0,
                k.toFloatArray(), v.toFloatArray(), 0, out, 0, new float[4 * tk - 1])).hasMessageContaining("scratch");
        assertThatThrownBy(() -> Attention.oneQuery(1, 3, h, hkv, d, tk, scale, q.toFloatArray(), 0,
                k.toFloatArray(), v.toFloatArray(), 0, out, 0, scores)).hasMessageContaining("[1, 3) of 4 query heads");
    }

    @Test
    void oneQueryGivesTheLastRowOfCausalAttentionBitForBitForHeadsAndCachesOfEverySize() {
        // head sizes below, at and between vector widths (4, 8 and 16 floats), one to four query heads
        // per key/value head over two and three key/value heads (heads go four, two or one at a time,
        // across key/value heads), caches of 1 to 100 positions, and a cache with room left (rows read
        // from an offset, as KvCache lays them out)
        for (int d : new int[] {3, 8, 16, 20, 32, 40, 64}) {
            for (int[] heads : new int[][] {{2, 1}, {2, 2}, {2, 3}, {2, 4}, {3, 1}, {3, 2}, {3, 3}}) {
                int hkv = heads[0];
                int group = heads[1];
                int h = hkv * group;
                for (int tk : new int[] {1, 2, 15, 16, 17, 33, 56, 100}) {
                    Tensor q = Tensor.randn(new Rng(d * 1000 + tk), 1f, 1, 1, h, d);
                    Tensor k = Tensor.randn(new Rng(d * 1000 + tk + 1), 2f, 1, tk, hkv, d);
                    Tensor v = Tensor.randn(new Rng(d * 1000 + tk + 2), 1f, 1, tk, hkv, d);
                    float scale = (float) (1 / Math.sqrt(d));
                    float[] expected = Attention.scaledDotProduct(q, k, v, true, scale).toFloatArray();
                    int kvo = 3 * hkv * d;                                   // three stale rows before the cache
                    float[] keys = new float[kvo + (tk + 5) * hkv * d];
                    float[] values = new float[keys.length];
                    System.arraycopy(k.toFloatArray(), 0, keys, kvo, tk * hkv * d);
                    System.arraycopy(v.toFloatArray(), 0, values, kvo, tk * hkv * d);
                    float[] out = new float[7 + h * d];
                    Attention.oneQuery(0, hkv, h, hkv, d, tk, scale, q.toFloatArray(), 0, keys, values, kvo,
                            out, 7, new float[4 * tk]);
                    assertThat(java.util.Arrays.copyOfRange(out, 7, out.length))
                            .as("head_dim %d, %d key/value heads of %d query heads, %d positions", d, hkv, group, tk)
                            .containsExactly(expected);
                }
            }
        }
    }

    @Test
    void aFrozenWeightGivesTheSameBitsAsTheSameWeightUnfrozenForAnyNumberOfRows() {
        // a frozen weight's product reads its kept panels: the broadcast kernel up to 32 rows, and for
        // more the packed product with B copied from the panels; above 32 rows the packed values are
        // the same as when packed from the weight itself, and so are the results
        for (int[] shape : new int[][] {{33, 96, 64}, {40, 37, 50}, {100, 130, 128}}) {
            Tensor x = rand(70 + shape[0], shape[0], shape[2]);
            Tensor w = rand(71 + shape[0], shape[1], shape[2]);
            Tensor bias = rand(72 + shape[0], shape[1]);
            try (dev.hearth.engine.autograd.Autograd.Scope s = dev.hearth.engine.autograd.Autograd.noGrad()) {
                float[] plain = MatMul.linear(x, w, bias).toFloatArray();
                Tensor frozen = Tensor.of(w.toFloatArray(), shape[1], shape[2]).freeze();
                assertThat(MatMul.linear(x, frozen, bias).toFloatArray()).as("rows %d", shape[0]).containsExactly(plain);
            }
        }
    }
}
