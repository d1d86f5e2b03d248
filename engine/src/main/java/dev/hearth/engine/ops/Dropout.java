package dev.hearth.engine.ops;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * Inverted dropout: each element is zeroed with probability p and the survivors scaled by
 * 1/(1-p). The mask is a pure function of {@code (key, element index)}, so it is the same
 * whatever the thread count and is recomputed for the gradient rather than stored.
 */
public final class Dropout {
    private Dropout() {}

    public static Tensor apply(Tensor x, float p, long key) {
        if (!(p >= 0 && p < 1)) {
            throw new HearthException("dropout probability must be in [0, 1), got " + p);
        }
        if (p == 0) {
            return x;
        }
        float keepScale = 1f / (1 - p);
        Tensor y = masked(x, p, key, keepScale);
        return Autograd.record(y, "dropout", new Tensor[] {x}, g -> new Tensor[] {masked(g, p, key, keepScale)});
    }

    private static Tensor masked(Tensor x, float p, long key, float keepScale) {
        Tensor c = x.contiguous();
        float[] src = c.data();
        int off = c.offset();
        float[] out = new float[x.numel()];
        ComputePool.shared().parallelFor(out.length, 1 << 14, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                out[i] = Rng.uniform(key, i) < p ? 0f : src[off + i] * keepScale;
            }
        });
        return Tensor.of(out, x.shape().toArray());
    }
}
