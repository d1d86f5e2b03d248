package dev.hearth.engine.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilCleared() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(2, 4, 6);
        x.mul(x).sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(4, 8, 12);
        x.zeroGrad();
        x.sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(1, 1, 1);
    }

    @Test
    void inputsGetGradientsLikeParameters() {
        Tensor w = Tensor.of(new float[] {2, -1}, 2).requiresGrad(true);
        Tensor input = Tensor.of(new float[] {3, 5}, 2).requiresGrad(true);
        input.mul(w).sum().backward();
        assertThat(input.grad().toFloatArray()).containsExactly(2, -1);
        assertThat(w.grad().toFloatArray()).containsExactly(3, 5);
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
        Tensor y = x.mul(x).add(x.scale(3f)); // x^2 + 3x -> 2x + 3
        y.sum().backward();
        assertThat(x.grad().item()).isEqualTo(7f);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y;
        try (Autograd.Scope s = Autograd.noGrad()) {
            y = x.mul(x);
            assertThat(Autograd.isEnabled()).isFalse();
        }
        assertThat(Autograd.isEnabled()).isTrue();
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.gradFn()).isNull();
        assertThatThrownBy(() -> y.sum().backward()).isInstanceOf(AutogradException.class)
                .hasMessageContaining("does not require gradients");
    }

    @Test
    void retainGradKeepsAnIntermediateGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.scale(2f).retainGrad();
        h.mul(h).sum().backward();
        assertThat(h.grad().toFloatArray()).containsExactly(4, 8);
        assertThat(x.grad().toFloatArray()).containsExactly(8, 16);
    }

    @Test
    void misuseIsExplained() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = x.mul(x);
        assertThatThrownBy(y::backward).isInstanceOf(AutogradException.class).hasMessageContaining("scalar");
        Tensor loss = y.sum();
        loss.backward();
        assertThatThrownBy(loss::backward).isInstanceOf(AutogradException.class).hasMessageContaining("second time");
        assertThatThrownBy(() -> y.requiresGrad(false)).isInstanceOf(AutogradException.class)
                .hasMessageContaining("leaf");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = Tensor.of(new float[] {3}, 1).requiresGrad(true);
        Tensor loss = x.mul(x).sum();
        Autograd.backward(loss, Tensor.full(1f), true);
        Autograd.backward(loss, Tensor.full(1f), true);
        assertThat(x.grad().item()).isEqualTo(12f);
    }

    @Test
    void seededBackwardFromANonScalar() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        x.scale(3f).backward(Tensor.of(new float[] {1, 10}, 2));
        assertThat(x.grad().toFloatArray()).containsExactly(3, 30);
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
        Tensor y = x.mul(x.detach());
        y.sum().backward();
        assertThat(x.grad().item()).isEqualTo(2f);
    }
}
