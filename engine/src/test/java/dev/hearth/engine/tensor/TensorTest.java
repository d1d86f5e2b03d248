package dev.hearth.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.autograd.AutogradException;
import dev.hearth.engine.ops.Views;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {

    private static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = i;
        }
        return t;
    }

    @Test
    void viewsShareStorageAndCopyNothing() {
        Tensor x = iota(2, 3, 4);
        Tensor t = x.transpose(0, 2);
        assertThat(t.data()).isSameAs(x.data());
        assertThat(t.shape()).isEqualTo(Shape.of(4, 3, 2));
        assertThat(t.get(3, 1, 0)).isEqualTo(x.get(0, 1, 3));
        assertThat(t.isContiguous()).isFalse();
        Tensor n = x.narrow(1, 1, 2);
        assertThat(n.data()).isSameAs(x.data());
        assertThat(n.get(1, 0, 2)).isEqualTo(x.get(1, 1, 2));
        Tensor s = x.select(2, 3);
        assertThat(s.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(s.get(1, 2)).isEqualTo(x.get(1, 2, 3));
        Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 5);
        assertThat(e.data()).hasSize(3);
        assertThat(e.get(2, 4)).isEqualTo(3f);
        Tensor p = x.permute(1, 2, 0);
        assertThat(p.get(2, 3, 1)).isEqualTo(x.get(1, 2, 3));
        assertThat(x.reshape(6, 4).data()).isSameAs(x.data());
        assertThat(x.unsqueeze(1).shape()).isEqualTo(Shape.of(2, 1, 3, 4));
        assertThat(x.unsqueeze(-1).shape()).isEqualTo(Shape.of(2, 3, 4, 1));
    }

    @Test
    void reshapeOfAViewIsAViewWhenTheLayoutAllows() {
        Tensor x = iota(4, 6);
        // Splitting the leading dimension of a narrowed view needs no copy.
        Tensor v = x.narrow(1, 0, 3).reshape(2, 2, 3);
        assertThat(v.data()).isSameAs(x.data());
        assertThat(v.get(1, 1, 2)).isEqualTo(x.get(3, 2));
        // Merging transposed dimensions does need one.
        Tensor c = x.transpose(0, 1).reshape(24);
        assertThat(c.data()).isNotSameAs(x.data());
        assertThat(c.get(1)).isEqualTo(x.get(1, 0));
        assertThat(x.reshape(-1, 8).shape()).isEqualTo(Shape.of(3, 8));
    }

    @Test
    void contiguousAndToFloatArrayFollowRowMajorOrder() {
        Tensor x = iota(2, 3);
        assertThat(x.transpose(0, 1).toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(x.transpose(0, 1).contiguous().isContiguous()).isTrue();
        assertThat(x.contiguous()).isSameAs(x);
    }

    @Test
    void concatSplitStack() {
        Tensor a = iota(2, 2);
        Tensor b = iota(2, 1);
        Tensor c = Views.concat(List.of(a, b), 1);
        assertThat(c.toFloatArray()).containsExactly(0, 1, 0, 2, 3, 1);
        List<Tensor> parts = Views.split(c, 1, 2, 1);
        assertThat(parts.get(0).toFloatArray()).containsExactly(0, 1, 2, 3);
        assertThat(parts.get(1).toFloatArray()).containsExactly(0, 1);
        assertThat(Views.stack(List.of(a, a), 1).shape()).isEqualTo(Shape.of(2, 2, 2));
    }

    @Test
    void badShapesAreNamedInErrors() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4, 5);
        assertThatThrownBy(() -> a.matmul(b)).isInstanceOf(ShapeException.class)
                .hasMessageContaining("matmul").hasMessageContaining("(2, 3)").hasMessageContaining("(4, 5)");
        assertThatThrownBy(() -> a.add(Tensor.zeros(2, 4))).isInstanceOf(ShapeException.class)
                .hasMessageContaining("add").hasMessageContaining("(2, 3)").hasMessageContaining("(2, 4)");
        assertThatThrownBy(() -> a.reshape(5, -1)).isInstanceOf(ShapeException.class).hasMessageContaining("reshape");
        assertThatThrownBy(() -> a.narrow(1, 2, 2)).isInstanceOf(ShapeException.class).hasMessageContaining("narrow");
        assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).isInstanceOf(ShapeException.class)
                .hasMessageContaining("5 values");
        assertThatThrownBy(() -> a.get(2, 0)).isInstanceOf(ShapeException.class).hasMessageContaining("out of bounds");
        assertThatThrownBy(() -> a.permute(0, 0)).isInstanceOf(ShapeException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> a.squeeze(0)).isInstanceOf(ShapeException.class).hasMessageContaining("not 1");
    }

    @Test
    void inPlaceUpdatesRefuseTensorsBeingRecorded() {
        Tensor p = Tensor.ones(3).requiresGrad(true);
        assertThatThrownBy(() -> p.fill(0f)).isInstanceOf(AutogradException.class).hasMessageContaining("noGrad");
        try (Autograd.Scope s = Autograd.noGrad()) {
            p.addInPlace(Tensor.ones(3), 2f);
        }
        assertThat(p.toFloatArray()).containsExactly(3, 3, 3);
    }

    @Test
    void copyFromWritesIntoAStridedView() {
        Tensor x = Tensor.zeros(3, 4);
        x.narrow(1, 1, 2).copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        assertThat(x.toFloatArray()).containsExactly(0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0);
    }

    @Test
    void rngIsReproducibleAndCounterBasedUniformIsStable() {
        Rng a = new Rng(7);
        Rng b = new Rng(7);
        for (int i = 0; i < 100; i++) {
            assertThat(a.nextLong()).isEqualTo(b.nextLong());
        }
        Rng c = Rng.fromState(a.state());
        assertThat(c.nextGaussian()).isEqualTo(a.nextGaussian());
        assertThat(Rng.uniform(5, 9)).isEqualTo(Rng.uniform(5, 9)).isBetween(0f, 1f);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) {
            counts[a.nextInt(7)]++;
        }
        for (int n : counts) {
            assertThat(n).isBetween(9_000, 11_000);
        }
    }
}
