package dev.hearth.engine.ops;

import static dev.hearth.engine.autograd.GradCheck.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The distillation loss against its double-precision reference, its gradient against finite differences. */
class SoftTargetsTest {

    private static Tensor rand(long seed, float scale, int... shape) {
        return Tensor.uniform(new Rng(seed), -scale, scale, shape);
    }

    @Test
    void matchesTheReference() {
        for (float temperature : new float[] {0.5f, 1f, 2f, 4f}) {
            Tensor s = rand(1, 3f, 2, 3, 11);
            Tensor t = rand(2, 3f, 2, 3, 11);
            double expected = SoftTargets.klDivergenceReference(s.toFloatArray(), t.toFloatArray(), 11, temperature);
            assertThat((double) SoftTargets.klDivergence(s, t, temperature).item())
                    .as("T=%s", temperature).isCloseTo(expected, within(1e-5 + 1e-5 * Math.abs(expected)));
        }
    }

    @Test
    void isZeroForIdenticalLogitsAndPositiveOtherwise() {
        Tensor s = rand(3, 2f, 4, 9);
        assertThat(SoftTargets.klDivergence(s, s, 2f).item()).isCloseTo(0f, within(1e-6f));
        assertThat(SoftTargets.klDivergence(s, rand(4, 2f, 4, 9), 2f).item()).isGreaterThan(0.01f);
        // a shift of every logit in a row changes neither distribution
        assertThat(SoftTargets.klDivergence(s, s.add(5f), 3f).item()).isCloseTo(0f, within(1e-5f));
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Tensor teacher = rand(10, 2f, 4, 6);
        check("kl T=1", x -> SoftTargets.klDivergence(x[0], teacher, 1f), rand(11, 2f, 4, 6));
        check("kl T=2", x -> SoftTargets.klDivergence(x[0], teacher, 2f), rand(12, 2f, 4, 6));
        check("kl T=0.5", x -> SoftTargets.klDivergence(x[0], teacher, 0.5f), rand(13, 1f, 4, 6));
        Tensor teacher3 = rand(14, 2f, 2, 3, 5);
        check("kl 3-d logits", x -> SoftTargets.klDivergence(x[0], teacher3, 3f), rand(15, 2f, 2, 3, 5));
        check("kl of a view", x -> SoftTargets.klDivergence(x[0].transpose(0, 1), teacher, 2f), rand(16, 2f, 6, 4));
    }

    @Test
    void noGradientReachesTheTeacher() {
        Tensor s = rand(20, 1f, 3, 5).requiresGrad(true);
        Tensor t = rand(21, 1f, 3, 5).requiresGrad(true);
        SoftTargets.klDivergence(s, t, 2f).backward();
        assertThat(s.grad()).isNotNull();
        assertThat(t.grad()).isNull();
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> SoftTargets.klDivergence(rand(1, 1f, 2, 5), rand(2, 1f, 2, 6), 1f))
                .isInstanceOf(ShapeException.class).hasMessageContaining("same shape");
        assertThatThrownBy(() -> SoftTargets.klDivergence(rand(1, 1f, 2, 5), rand(2, 1f, 2, 5), 0f))
                .isInstanceOf(HearthException.class).hasMessageContaining("temperature must be a positive number");
        assertThatThrownBy(() -> SoftTargets.klDivergence(rand(1, 1f, 2, 5), rand(2, 1f, 2, 5), Float.NaN))
                .isInstanceOf(HearthException.class).hasMessageContaining("temperature");
    }
}
