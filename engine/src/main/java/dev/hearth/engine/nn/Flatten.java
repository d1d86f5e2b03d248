package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Tensor;

/** Merges every dimension after the first (batch) into one: (N, C, H, W) to (N, C*H*W). */
public final class Flatten extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.rank() <= 2 ? x : x.flatten(1, -1);
    }
}
