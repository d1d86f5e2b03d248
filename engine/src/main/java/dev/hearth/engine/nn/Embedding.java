package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/** A table of learned vectors looked up by index (token ids, positions). */
public final class Embedding extends Module {
    private final Tensor weight; // (rows, dim)

    public Embedding(int rows, int dim, Rng rng) {
        this.weight = param("weight", Init.normal(rng, Init.DEFAULT_STD, rows, dim));
    }

    /** Rows {@code ids}, shaped {@code (idShape..., dim)}. */
    public Tensor forward(int[] ids, int... idShape) {
        return dev.hearth.engine.ops.Embedding.lookup(weight, ids, idShape);
    }

    public Tensor weight() {
        return weight;
    }
}
