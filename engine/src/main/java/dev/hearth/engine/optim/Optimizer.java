package dev.hearth.engine.optim;

import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * Updates parameters from their accumulated gradients. Parameters are given by name (as
 * {@code Module.parameters()} returns them) so that the optimizer's state can be saved and
 * restored by name alongside the model.
 */
public interface Optimizer {

    /** Applies one update from the current gradients; parameters without a gradient are skipped. */
    void step();

    /** Forgets every parameter's gradient. */
    void zeroGrad();

    double learningRate();

    /** Sets the learning rate used by the next steps (schedules call this before each step). */
    void setLearningRate(double lr);

    /** Number of steps taken so far. */
    long steps();

    /** Everything needed to continue exactly: per-parameter buffers and scalars such as the step count. */
    OptimizerState state();

    /** Restores a state saved by {@link #state()} from an optimizer of the same kind over the same parameters. */
    void loadState(OptimizerState state);

    /** The parameters being optimised, by name. */
    Map<String, Tensor> parameters();
}
