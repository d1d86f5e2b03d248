package dev.hearth.engine.optim;

import dev.hearth.engine.tensor.Tensor;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019). By default decay applies only
 * to tensors of two or more dimensions (weight matrices and embeddings), not to biases and
 * normalisation scales, as nanoGPT and most LLM recipes do.
 */
public final class AdamW extends Adam {

    /** Decay for matrices and higher, none for vectors and scalars. */
    public static final BiPredicate<String, Tensor> MATRICES = (name, p) -> p.rank() >= 2;

    public AdamW(Map<String, Tensor> params, double lr, Config config) {
        this(params, lr, config, MATRICES);
    }

    /** With an explicit choice of which parameters (by name and tensor) are decayed. */
    public AdamW(Map<String, Tensor> params, double lr, Config config, BiPredicate<String, Tensor> decays) {
        super(params, lr, config, true, decays);
    }

    /** beta (0.9, 0.999), eps 1e-8, weight decay 0.01: PyTorch's AdamW defaults. */
    public static Config defaults() {
        return new Config(0.9, 0.999, 1e-8, 0.01);
    }

    @Override
    String kind() {
        return "adamw";
    }
}
