package dev.hearth.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.nn.Mlp;
import dev.hearth.engine.nn.MultiHeadAttention;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.AdamW;
import dev.hearth.engine.optim.Optimizer;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives bit-identical training, and — because kernels split work only over
 * independent outputs — so does a different thread count.
 */
class DeterminismTest {

    /** Three AdamW steps of a transformer block and a conv net; returns every parameter's values. */
    private static List<float[]> train() {
        var attn = new MultiHeadAttention.Config(32, 4, 2, true, 10000f, 2);
        var block = new TransformerBlock(new TransformerBlock.Config(attn, Mlp.Kind.GELU, 64,
                TransformerBlock.Norm.LAYER_NORM, 1e-5f, 0.1f), new Rng(1));
        var cnn = new CnnClassifier(new CnnClassifier.Config(1, 20, 20, 10, 4, 8, 8, 3, 16), new Rng(2));
        Optimizer o1 = new AdamW(block.parameters(), 1e-3, AdamW.defaults());
        Optimizer o2 = new AdamW(cnn.parameters(), 1e-3, AdamW.defaults());
        Rng data = new Rng(3);
        for (int step = 0; step < 3; step++) {
            Tensor x = Tensor.randn(data, 1f, 4, 70, 32);
            block.forward(x).pow(2f).mean().backward();
            o1.step();
            o1.zeroGrad();
            Tensor images = Tensor.randn(data, 1f, 8, 1, 20, 20);
            Losses.crossEntropy(cnn.forward(images), new int[] {0, 1, 2, 3, 4, 5, 6, 7}).backward();
            o2.step();
            o2.zeroGrad();
        }
        List<float[]> out = new ArrayList<>();
        block.parameters().values().forEach(p -> out.add(p.toFloatArray()));
        cnn.parameters().values().forEach(p -> out.add(p.toFloatArray()));
        return out;
    }

    @Test
    void sameSeedSameBitsWhateverTheThreadCount() {
        List<float[]> shared = train();
        List<float[]> again = train();
        AtomicReference<List<float[]>> single = new AtomicReference<>();
        try (ComputePool one = new ComputePool(1)) {
            ComputePool.runWith(one, () -> single.set(train()));
        }
        AtomicReference<List<float[]>> three = new AtomicReference<>();
        try (ComputePool pool = new ComputePool(3)) {
            ComputePool.runWith(pool, () -> three.set(train()));
        }
        for (int i = 0; i < shared.size(); i++) {
            assertThat(again.get(i)).as("rerun, tensor " + i).containsExactly(shared.get(i));
            assertThat(single.get().get(i)).as("1 thread, tensor " + i).containsExactly(shared.get(i));
            assertThat(three.get().get(i)).as("3 threads, tensor " + i).containsExactly(shared.get(i));
        }
    }
}
