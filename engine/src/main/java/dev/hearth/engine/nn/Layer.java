package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Tensor;

/** A module that maps one tensor to one tensor, so it can be chained in a {@link Sequential}. */
public abstract class Layer extends Module {
    public abstract Tensor forward(Tensor x);
}
