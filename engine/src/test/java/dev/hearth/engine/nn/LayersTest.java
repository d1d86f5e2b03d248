package dev.hearth.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayersTest {

    private static TransformerBlock block(int kvHeads, float rope, Mlp.Kind mlp, TransformerBlock.Norm norm, float dropout) {
        var attn = new MultiHeadAttention.Config(16, 4, kvHeads, true, rope, 2);
        return new TransformerBlock(new TransformerBlock.Config(attn, mlp, 32, norm, 1e-5f, dropout), new Rng(3));
    }

    @Test
    void parameterNamesAreHierarchicalAndStable() {
        TransformerBlock b = block(2, 10000f, Mlp.Kind.SWIGLU, TransformerBlock.Norm.RMS_NORM, 0f);
        assertThat(b.parameters().keySet()).containsExactly(
                "norm1.weight",
                "attn.q_proj.weight", "attn.q_proj.bias", "attn.k_proj.weight", "attn.k_proj.bias",
                "attn.v_proj.weight", "attn.v_proj.bias", "attn.o_proj.weight", "attn.o_proj.bias",
                "norm2.weight",
                "mlp.gate_proj.weight", "mlp.gate_proj.bias", "mlp.up_proj.weight", "mlp.up_proj.bias",
                "mlp.down_proj.weight", "mlp.down_proj.bias");
        assertThat(b.parameters().get("attn.k_proj.weight").shape().toArray()).containsExactly(8, 16);
        Sequential s = new Sequential(new Linear(3, 4, true, new Rng(1)), new Activation(Activation.Kind.RELU),
                new Linear(4, 2, false, new Rng(2)));
        assertThat(s.parameters().keySet()).containsExactly("0.weight", "0.bias", "2.weight");
        assertThat(s.parameterCount()).isEqualTo(3 * 4 + 4 + 4 * 2);
    }

    @Test
    void initialisationFollowsTheTransformerRecipe() {
        int layers = 8;
        var attn = new MultiHeadAttention.Config(64, 4, 4, true, 0f, layers);
        var b = new TransformerBlock(new TransformerBlock.Config(attn, Mlp.Kind.GELU, 256,
                TransformerBlock.Norm.LAYER_NORM, 1e-5f, 0f), new Rng(11));
        Map<String, Tensor> p = b.parameters();
        assertThat(std(p.get("attn.q_proj.weight"))).isCloseTo(0.02, within(0.002));
        assertThat(std(p.get("mlp.fc.weight"))).isCloseTo(0.02, within(0.002));
        double residual = 0.02 / Math.sqrt(2 * layers);
        assertThat(std(p.get("attn.o_proj.weight"))).isCloseTo(residual, within(residual * 0.1));
        assertThat(std(p.get("mlp.proj.weight"))).isCloseTo(residual, within(residual * 0.1));
        assertThat(p.get("attn.q_proj.bias").toFloatArray()).containsOnly(0f);
        assertThat(p.get("norm1.weight").toFloatArray()).containsOnly(1f);
        // The same seed gives the same weights.
        var again = new TransformerBlock(new TransformerBlock.Config(attn, Mlp.Kind.GELU, 256,
                TransformerBlock.Norm.LAYER_NORM, 1e-5f, 0f), new Rng(11));
        assertThat(again.parameters().get("mlp.fc.weight").toFloatArray())
                .containsExactly(p.get("mlp.fc.weight").toFloatArray());
    }

    private static double std(Tensor t) {
        float[] v = t.toFloatArray();
        double mean = 0;
        for (float x : v) {
            mean += x / v.length;
        }
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean) / v.length;
        }
        return Math.sqrt(var);
    }

    @Test
    void decodingWithTheKvCacheEqualsTheFullForward() {
        for (int kvHeads : new int[] {4, 2, 1}) {
            TransformerBlock b = block(kvHeads, 10000f, Mlp.Kind.SWIGLU, TransformerBlock.Norm.RMS_NORM, 0f);
            b.eval();
            Tensor x = Tensor.randn(new Rng(5), 1f, 2, 9, 16);
            try (Autograd.Scope s = Autograd.noGrad()) {
                float[] full = b.forward(x).toFloatArray();
                KvCache cache = b.attention().newCache(2, 16);
                // A prompt of 4 tokens, then 5 single-token steps.
                Tensor first = b.forward(x.narrow(1, 0, 4), 0, cache, null);
                Tensor[] steps = new Tensor[6];
                steps[0] = first;
                for (int t = 4; t < 9; t++) {
                    steps[t - 3] = b.forward(x.narrow(1, t, 1), t, cache, null);
                }
                float[] incremental = dev.hearth.engine.ops.Views.concat(List.of(steps), 1).toFloatArray();
                assertThat(cache.length()).isEqualTo(9);
                for (int i = 0; i < full.length; i++) {
                    assertThat(incremental[i]).as("kv heads " + kvHeads + " element " + i).isCloseTo(full[i], within(1e-5f));
                }
            }
        }
    }

    @Test
    void leftPaddedSequencesMatchTheirUnpaddedSelves() {
        TransformerBlock b = block(2, 10000f, Mlp.Kind.SWIGLU, TransformerBlock.Norm.RMS_NORM, 0f);
        b.eval();
        Tensor a = Tensor.randn(new Rng(21), 1f, 1, 5, 16);
        Tensor c = Tensor.randn(new Rng(22), 1f, 1, 3, 16);
        try (Autograd.Scope s = Autograd.noGrad()) {
            float[] aAlone = b.forward(a).toFloatArray();
            float[] cAlone = b.forward(c).toFloatArray();
            // Batch: a as is, c after two padding steps (whose values must not matter).
            Tensor padded = dev.hearth.engine.ops.Views.concat(List.of(Tensor.full(7f, 1, 2, 16), c), 1);
            Tensor batch = dev.hearth.engine.ops.Views.concat(List.of(a, padded), 0);
            float[] out = b.forward(batch, 0, null, new int[] {0, 2}).toFloatArray();
            for (int i = 0; i < aAlone.length; i++) {
                assertThat(out[i]).isCloseTo(aAlone[i], within(1e-5f));
            }
            for (int i = 0; i < cAlone.length; i++) {
                assertThat(out[5 * 16 + 2 * 16 + i]).isCloseTo(cAlone[i], within(1e-5f));
            }
        }
    }

    @Test
    void aCopiedKvCacheContinuesLikeTheOriginalAndApartFromIt() {
        MultiHeadAttention attn = new MultiHeadAttention(new MultiHeadAttention.Config(8, 2, 2, false, 0f, 1), new Rng(2));
        Tensor prompt = Tensor.randn(new Rng(3), 1f, 2, 4, 8);
        Tensor a = Tensor.randn(new Rng(4), 1f, 2, 1, 8);
        Tensor b = Tensor.randn(new Rng(5), 1f, 2, 1, 8);
        try (Autograd.Scope s = Autograd.noGrad()) {
            KvCache original = attn.newCache(2, 6);
            attn.forward(prompt, 0, original, null);
            KvCache copy = original.copy();
            assertThat(copy.length()).isEqualTo(4);
            float[] viaCopy = attn.forward(a, 4, copy, null).toFloatArray();
            float[] viaOriginalB = attn.forward(b, 4, original, null).toFloatArray();   // diverges from the copy

            KvCache fresh = attn.newCache(2, 6);
            attn.forward(prompt, 0, fresh, null);
            assertThat(attn.forward(a, 4, fresh, null).toFloatArray()).containsExactly(viaCopy);
            KvCache fresh2 = attn.newCache(2, 6);
            attn.forward(prompt, 0, fresh2, null);
            assertThat(attn.forward(b, 4, fresh2, null).toFloatArray()).containsExactly(viaOriginalB);
            assertThat(copy.length()).isEqualTo(5);
            assertThat(original.length()).isEqualTo(5);
        }
    }

    @Test
    void aSliceOfAKvCacheExtendsAnotherAndBadSlicesAreRefused() {
        MultiHeadAttention attn = new MultiHeadAttention(new MultiHeadAttention.Config(8, 2, 2, false, 0f, 1), new Rng(2));
        Tensor prompt = Tensor.randn(new Rng(3), 1f, 1, 5, 8);
        Tensor next = Tensor.randn(new Rng(4), 1f, 1, 1, 8);
        try (Autograd.Scope s = Autograd.noGrad()) {
            KvCache original = attn.newCache(1, 6);
            attn.forward(prompt, 0, original, null);
            KvCache pieced = attn.newCache(1, 6);
            pieced.appendAll(original.slice(0, 2));
            pieced.appendAll(original.slice(2, 3));
            assertThat(pieced.length()).isEqualTo(5);
            assertThat(original.slice(1, 3).bytes()).isEqualTo(2L * 3 * 8 * Float.BYTES);
            assertThat(attn.forward(next, 5, pieced, null).toFloatArray())
                    .containsExactly(attn.forward(next, 5, original, null).toFloatArray());

            assertThatThrownBy(() -> original.slice(4, 3)).hasMessageContaining("positions 4..6 are not in this cache");
            assertThatThrownBy(() -> pieced.appendAll(original.slice(0, 1))).hasMessageContaining("do not fit");
            KvCache other = new MultiHeadAttention(new MultiHeadAttention.Config(8, 2, 1, false, 0f, 1), new Rng(5))
                    .newCache(1, 6);
            assertThatThrownBy(() -> other.appendAll(original.slice(0, 1))).hasMessageContaining("cannot extend");
            assertThatThrownBy(() -> attn.newCache(2, 6).slice(0, 0)).hasMessageContaining("one sequence");
        }
    }

    @Test
    void kvCacheRefusesToOverflow() {
        MultiHeadAttention attn = new MultiHeadAttention(new MultiHeadAttention.Config(8, 2, 2, false, 0f, 1), new Rng(1));
        KvCache cache = attn.newCache(1, 3);
        try (Autograd.Scope s = Autograd.noGrad()) {
            attn.forward(Tensor.zeros(1, 3, 8), 0, cache, null);
            assertThatThrownBy(() -> attn.forward(Tensor.zeros(1, 1, 8), 3, cache, null)).isInstanceOf(HearthException.class)
                    .hasMessageContaining("holds 3 positions");
        }
    }

    @Test
    void dropoutActsOnlyInTrainingMode() {
        TransformerBlock b = block(4, 0f, Mlp.Kind.GELU, TransformerBlock.Norm.LAYER_NORM, 0.5f);
        Tensor x = Tensor.randn(new Rng(6), 1f, 1, 4, 16);
        try (Autograd.Scope s = Autograd.noGrad()) {
            float[] trainA = b.forward(x).toFloatArray();
            float[] trainB = b.forward(x).toFloatArray();
            assertThat(trainA).isNotEqualTo(trainB);
            b.eval();
            assertThat(b.isTraining()).isFalse();
            assertThat(b.forward(x).toFloatArray()).containsExactly(b.forward(x).toFloatArray());
        }
    }

    @Test
    void loadStateChecksNamesAndShapes() {
        Linear a = new Linear(3, 2, true, new Rng(1));
        Linear b = new Linear(3, 2, true, new Rng(2));
        b.loadState(a.parameters(), true);
        assertThat(b.weight().toFloatArray()).containsExactly(a.weight().toFloatArray());
        assertThatThrownBy(() -> b.loadState(Map.of("weight", Tensor.zeros(2, 4), "bias", Tensor.zeros(2)), true))
                .isInstanceOf(HearthException.class).hasMessageContaining("'weight'").hasMessageContaining("(2, 4)");
        assertThatThrownBy(() -> b.loadState(Map.of("weight", Tensor.zeros(2, 3), "extra", Tensor.zeros(1)), true))
                .isInstanceOf(HearthException.class).hasMessageContaining("missing [bias]")
                .hasMessageContaining("unexpected [extra]");
        assertThat(b.loadState(Map.of("weight", Tensor.zeros(2, 3)), false)).containsExactly("bias");
    }

    @Test
    void lstmCarriesStateBetweenCalls() {
        Lstm lstm = new Lstm(3, 5, 2, new Rng(4));
        Tensor x = Tensor.randn(new Rng(8), 1f, 2, 6, 3);
        try (Autograd.Scope s = Autograd.noGrad()) {
            Lstm.Result whole = lstm.forward(x, null);
            Lstm.Result first = lstm.forward(x.narrow(1, 0, 2), null);
            Lstm.Result rest = lstm.forward(x.narrow(1, 2, 4), first.state());
            assertThat(rest.output().toFloatArray())
                    .containsExactly(whole.output().narrow(1, 2, 4).toFloatArray());
            assertThat(whole.state().h().shape().toArray()).containsExactly(2, 2, 5);
        }
    }
}
