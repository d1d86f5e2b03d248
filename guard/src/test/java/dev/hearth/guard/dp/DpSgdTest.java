package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Sequential;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class DpSgdTest {

    @Test
    void poissonSamplesHaveTheRightSizeAndEveryExampleItsChance() {
        RandomGenerator random = new Random(11);
        int n = 1000;
        double q = 0.05;
        int[] hits = new int[n];
        long total = 0;
        int draws = 2000;
        for (int d = 0; d < draws; d++) {
            int[] s = PoissonSampling.sample(n, q, random);
            for (int k = 1; k < s.length; k++) {
                assertThat(s[k]).isGreaterThan(s[k - 1]);
            }
            for (int i : s) {
                hits[i]++;
            }
            total += s.length;
        }
        // Mean batch q n = 50 (sd of the mean over 2000 draws: about 0.15).
        assertThat((double) total / draws).isCloseTo(50, within(1.0));
        // Each example joins about q * draws = 100 times (binomial sd about 9.7).
        for (int h : hits) {
            assertThat(h).isBetween(50, 150);
        }
        assertThat(PoissonSampling.sample(5, 1.0, random)).containsExactly(0, 1, 2, 3, 4);
        assertThatThrownBy(() -> PoissonSampling.sample(0, 0.1, random)).isInstanceOf(DpException.class);
    }

    @Test
    void noiseHasTheStandardDeviationSigmaCOverTheExpectedBatch() {
        Rng rng = new Rng(3);
        Sequential model = new Sequential(new Linear(200, 100, true, rng));
        DpSgd dp = new DpSgd(DpSgd.Plan.withNoise(2.0, 1e-5, 0.5, 1000, 50, 10), model.parameters());
        dp.addNoise(); // an empty batch: pure noise, std 2.0 * 0.5 / 50 = 0.02
        double s = 0;
        double s2 = 0;
        int count = 0;
        for (Tensor p : model.parameters().values()) {
            for (float v : p.grad().toFloatArray()) {
                s += v;
                s2 += (double) v * v;
                count++;
            }
        }
        assertThat(count).isEqualTo(20_100);
        assertThat(s / count).isCloseTo(0, within(0.001));
        assertThat(Math.sqrt(s2 / count)).isCloseTo(0.02, within(0.0005));
        assertThat(dp.stepsTaken()).isEqualTo(1);
    }

    @Test
    void aStepIsTheClippedSumPlusNoiseOverTheExpectedBatch() {
        Rng rng = new Rng(4);
        Sequential model = new Sequential(Linear.withFanInInit(6, 3, true, rng));
        DpSgd dp = new DpSgd(DpSgd.Plan.withNoise(1e-9, 1e-5, 100, 100, 4, 10), model.parameters());
        Tensor x = Tensor.randn(rng, 1f, 4, 6);
        int[] y = {0, 1, 2, 1};
        Tensor logits = model.forward(x);
        dp.backward(Losses.crossEntropy(logits, y), logits, 4);
        dp.addNoise();
        float[] got = model.parameters().get("0.weight").grad().toFloatArray();
        model.zeroGrad();
        Losses.crossEntropy(model.forward(x), y).backward(); // the mean gradient: sum / 4 with nothing clipped
        float[] want = model.parameters().get("0.weight").grad().toFloatArray();
        for (int k = 0; k < want.length; k++) {
            assertThat(got[k]).isCloseTo(want[k], within(1e-5f));
        }
    }

    @Test
    void thePlanSolvesForSigmaAndTheSpendingGrowsWithTheSteps() {
        PldAccountant pld = new PldAccountant();
        DpSgd.Plan plan = DpSgd.Plan.solve(3.0, 1e-5, 1.0, 60_000, 256, 14_063, pld);
        assertThat(plan.noiseMultiplier()).isCloseTo(0.9685, within(2e-4));
        assertThat(plan.sampleRate()).isEqualTo(256.0 / 60_000);
        assertThat(plan.expectedBatch()).isCloseTo(256, within(1e-9));
        Sequential model = new Sequential(new Linear(2, 2, false, new Rng(1)));
        DpSgd dp = new DpSgd(DpSgd.Plan.withNoise(1.1, 1e-5, 1.0, 60_000, 256, 14_063), model.parameters());
        assertThat(dp.spent(pld).epsilon()).isZero();
        for (int i = 0; i < 100; i++) {
            dp.addNoise();
        }
        RdpAccountant rdp = new RdpAccountant(RdpAccountant.Conversion.CLASSIC);
        assertThat(dp.spent(rdp).epsilon()).isEqualTo(
                rdp.epsilon(new SampledGaussian(256.0 / 60_000, 1.1, 100), 1e-5).epsilon());
        assertThatThrownBy(() -> DpSgd.Plan.withNoise(1, 1e-5, 1, 100, 500, 10)).hasMessageContaining("batch size");
        assertThatThrownBy(() -> DpSgd.Plan.withNoise(1, 1e-5, -1, 100, 5, 10)).hasMessageContaining("clipping");
    }
}
