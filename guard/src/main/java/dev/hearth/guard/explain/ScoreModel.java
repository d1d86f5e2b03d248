package dev.hearth.guard.explain;

import dev.hearth.engine.tensor.Tensor;

/**
 * The model being explained, seen as a function from a batch of flat inputs (n, d) to scores
 * (n, outputs): class logits or log-probabilities, a next token's log-probability. Built from
 * engine operations it is differentiable in its input, which the gradient methods need; the
 * perturbation methods only call it.
 */
@FunctionalInterface
public interface ScoreModel {
    Tensor scores(Tensor inputs);
}
