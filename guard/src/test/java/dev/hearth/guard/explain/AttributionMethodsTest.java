package dev.hearth.guard.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionMethodsTest {

    private static final float[] W = {0.5f, -2f, 1.5f, 3f, -0.25f};
    private static final float[] X = {1f, 2f, -1f, 0.5f, 4f};

    /** Two outputs: output 1 is w·x + 0.3. */
    private static ScoreModel linear() {
        float[] weight = new float[2 * W.length];
        System.arraycopy(W, 0, weight, W.length, W.length);
        Linear l = new Linear(dev.hearth.engine.tensor.Tensor.of(weight, 2, W.length),
                dev.hearth.engine.tensor.Tensor.of(new float[] {0f, 0.3f}, 2));
        return l::forward;
    }

    /** A small tanh network, three outputs. */
    static ScoreModel mlp(int in, long seed) {
        Rng rng = new Rng(seed);
        Linear a = new Linear(in, 8, true, 0.8f, rng);
        Linear b = new Linear(8, 3, true, 0.8f, rng);
        return x -> b.forward(a.forward(x).tanh());
    }

    private static List<String> names(int d) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            n.add("f" + i);
        }
        return n;
    }

    @Test
    void aLinearModelGetsItsExactAttributionsFromEveryMethod() {
        FeatureGroups f = FeatureGroups.each(names(5));
        float[] base = {0.2f, -1f, 0f, 1f, 0.5f};
        double[] expected = new double[5];
        for (int i = 0; i < 5; i++) {
            expected[i] = W[i] * (X[i] - base[i]);
        }
        for (IntegratedGradients.Rule rule : IntegratedGradients.Rule.values()) {
            Attribution ig = new IntegratedGradients(8, rule, 3).explain(linear(), X, base, f, 1);
            assertThat(ig.values()).containsExactly(expected, within(1e-5));
            assertThat(ig.checks().get("completeness_delta")).isCloseTo(0, within(1e-5));
        }
        double[] gxi = GradientTimesInput.explain(linear(), X, f, 1).values();
        double[] sal = Saliency.explain(linear(), X, f, 1).values();
        for (int i = 0; i < 5; i++) {
            assertThat(gxi[i]).isCloseTo(W[i] * X[i], within(1e-6));
            assertThat(sal[i]).isCloseTo(Math.abs(W[i]), within(1e-6));
        }
        CoalitionModel masked = new MaskedInput(linear(), X, f, Background.baseline(base), 1);
        assertThat(Occlusion.explain(masked).values()).containsExactly(expected, within(1e-5));
        assertThat(new Lime(300, 0.25, 0, 7).explain(masked).values()).containsExactly(expected, within(1e-4));
        Attribution shap = KernelShap.withSeed(1).explain(masked);
        assertThat(shap.values()).containsExactly(expected, within(1e-5));
        assertThat(shap.checks().get("exact")).isEqualTo(1.0);
        // against a background of several rows, SHAP's reference is their mean
        float[][] rows = {{0, 0, 0, 0, 0}, {1, 1, 1, 1, 1}, {2, -3, 0.5f, 0, 1}};
        Attribution vsRows = KernelShap.withSeed(1).explain(new MaskedInput(linear(), X, f, Background.of(rows), 1));
        for (int i = 0; i < 5; i++) {
            double mean = (rows[0][i] + rows[1][i] + rows[2][i]) / 3.0;
            assertThat(vsRows.values()[i]).isCloseTo(W[i] * (X[i] - mean), within(1e-5));
        }
    }

    @Test
    void integratedGradientsIsCompleteOnANonlinearModelAndItsBatchingChangesNothing() {
        ScoreModel m = mlp(6, 3);
        float[] x = {1.2f, -0.7f, 0.3f, 2f, -1.5f, 0.9f};
        float[] base = new float[6];
        FeatureGroups f = FeatureGroups.each(names(6));
        Attribution gl = new IntegratedGradients(50, IntegratedGradients.Rule.GAUSS_LEGENDRE, 7).explain(m, x, base, f, 2);
        double gap = gl.score() - gl.referenceScore();
        assertThat(Math.abs(gap)).isGreaterThan(0.05);
        assertThat(gl.total()).isCloseTo(gap, within(1e-4 * Math.abs(gap) + 1e-6));
        Attribution oneBatch = new IntegratedGradients(50, IntegratedGradients.Rule.GAUSS_LEGENDRE, 50)
                .explain(m, x, base, f, 2);
        assertThat(gl.values()).containsExactly(oneBatch.values(), within(1e-6));
        Attribution trapezoid = new IntegratedGradients(10, IntegratedGradients.Rule.TRAPEZOID, 4).explain(m, x, base, f, 2);
        assertThat(Math.abs(trapezoid.checks().get("completeness_delta")))
                .isGreaterThan(Math.abs(gl.checks().get("completeness_delta")));
    }

    @Test
    void gaussLegendreNodesIntegratePolynomialsExactly() {
        double[][] r = IntegratedGradients.gaussLegendre(5);
        double integral = 0;
        for (int k = 0; k < 5; k++) {
            integral += r[1][k] * Math.pow(r[0][k], 9);          // degree 2n-1 is exact
        }
        assertThat(integral).isCloseTo(0.1, within(1e-13));
    }

    @Test
    void kernelShapGivesTheShapleyValuesExactlyAndCloselyWhenSampling() {
        for (int d : new int[] {6, 11}) {
            ScoreModel m = mlp(d, 11 + d);
            float[] x = new float[d];
            float[][] bg = new float[3][d];
            Rng rng = new Rng(d);
            for (int i = 0; i < d; i++) {
                x[i] = (float) rng.nextGaussian();
                for (float[] row : bg) {
                    row[i] = (float) rng.nextGaussian() * 0.5f;
                }
            }
            CoalitionModel masked = new MaskedInput(m, x, FeatureGroups.each(names(d)), Background.of(bg), 0);
            double[] truth = bruteForceShapley(masked, d);
            Attribution shap = new KernelShap(d == 6 ? 100 : 600, 5).explain(masked);
            assertThat(shap.checks().get("exact")).isEqualTo(d == 6 ? 1.0 : 0.0);
            assertThat(shap.total()).isCloseTo(shap.score() - shap.referenceScore(), within(1e-9));
            double scale = java.util.Arrays.stream(truth).map(Math::abs).max().orElseThrow();
            for (int i = 0; i < d; i++) {
                assertThat(shap.values()[i]).as("feature %d of %d", i, d)
                        .isCloseTo(truth[i], within(d == 6 ? 1e-6 : 0.1 * scale));
            }
            assertThat(new KernelShap(600, 5).explain(masked).values()).containsExactly(
                    new KernelShap(600, 5).explain(masked).values());
        }
    }

    private static double[] bruteForceShapley(CoalitionModel m, int d) {
        List<boolean[]> all = new ArrayList<>();
        for (int mask = 0; mask < 1 << d; mask++) {
            boolean[] c = new boolean[d];
            for (int i = 0; i < d; i++) {
                c[i] = (mask >> i & 1) == 1;
            }
            all.add(c);
        }
        double[] v = m.scores(all);
        double[] fact = new double[d + 1];
        fact[0] = 1;
        for (int i = 1; i <= d; i++) {
            fact[i] = fact[i - 1] * i;
        }
        double[] phi = new double[d];
        for (int mask = 0; mask < 1 << d; mask++) {
            int size = Integer.bitCount(mask);
            for (int i = 0; i < d; i++) {
                if ((mask >> i & 1) == 0) {
                    double w = fact[size] * fact[d - size - 1] / fact[d];
                    phi[i] += w * (v[mask | 1 << i] - v[mask]);
                }
            }
        }
        return phi;
    }

    @Test
    void limeGivesTheSameAnswerForTheSameSeedAndReportsItsFit() {
        ScoreModel m = mlp(8, 4);
        float[] x = {1, 2, 3, -1, -2, 0.5f, 0, 1};
        CoalitionModel masked = new MaskedInput(m, x, FeatureGroups.each(names(8)), Background.baseline(new float[8]), 1);
        Attribution a = new Lime(500, 0.25, 1, 42).explain(masked);
        Attribution b = new Lime(500, 0.25, 1, 42).explain(masked);
        Attribution c = new Lime(500, 0.25, 1, 43).explain(masked);
        assertThat(a.values()).containsExactly(b.values());
        assertThat(a.values()).isNotEqualTo(c.values());
        assertThat(a.checks()).containsKeys("r2", "intercept", "local_prediction");
        assertThat(a.checks().get("r2")).isBetween(0.0, 1.0);
    }

    @Test
    void groupsAddUpOneHotColumnsAndSpreadOverlappingWindows() {
        FeatureGroups g = new FeatureGroups(List.of("age", "sex"), new int[][] {{0}, {1, 2}}, 3);
        assertThat(g.sum(new double[] {1, 2, 3})).containsExactly(1, 5);
        FeatureGroups windows = FeatureGroups.patches(4, 4, 2, 1);
        assertThat(windows.count()).isEqualTo(9);
        double[] perPixel = windows.spread(new double[] {9, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(perPixel[0]).isEqualTo(9);          // covered only by the first window
        assertThat(perPixel[5]).isEqualTo(9 / 4.0);    // covered by four windows
        assertThat(FeatureGroups.patches(5, 5, 2, 2).count()).isEqualTo(9);
    }

    @Test
    void aSummarisedBackgroundKeepsEveryRowsWeight() {
        float[][] rows = new float[200][2];
        Rng rng = new Rng(9);
        for (int i = 0; i < rows.length; i++) {
            float centre = i % 2 == 0 ? -5 : 5;
            rows[i][0] = centre + (float) rng.nextGaussian() * 0.1f;
            rows[i][1] = (float) rng.nextGaussian() * 0.1f;
        }
        Background b = Background.summarize(rows, 2, 1);
        assertThat(b.rows()).hasNumberOfRows(2);
        assertThat(b.weights()).containsExactlyInAnyOrder(100, 100);
        assertThat(Math.abs(b.rows()[0][0])).isCloseTo(5f, within(0.1f));
        assertThat(Background.summarize(rows, 2, 1).rows()[0]).containsExactly(b.rows()[0]);
    }

    @Test
    void badInputsAreNamed() {
        FeatureGroups f = FeatureGroups.each(names(5));
        assertThatThrownBy(() -> Saliency.explain(linear(), new float[4], f, 1)).isInstanceOf(ExplainException.class)
                .hasMessageContaining("4 values");
        assertThatThrownBy(() -> Saliency.explain(linear(), X, f, 2)).hasMessageContaining("target 2");
        assertThatThrownBy(() -> Saliency.explain(linear(), new float[] {1, Float.NaN, 0, 0, 0}, f, 1))
                .hasMessageContaining("input value 1 is NaN");
        assertThatThrownBy(() -> new IntegratedGradients(1, IntegratedGradients.Rule.TRAPEZOID, 4))
                .hasMessageContaining("steps");
        assertThatThrownBy(() -> new MaskedInput(linear(), X, f, Background.baseline(new float[3]), 1))
                .hasMessageContaining("background rows have 3 values");
        assertThatThrownBy(() -> new FeatureGroups(List.of("a"), new int[][] {{7}}, 3))
                .hasMessageContaining("position 7");
        assertThatThrownBy(() -> Background.of(new float[0][])).hasMessageContaining("no rows");
    }
}
