package dev.hearth.lab.tune;

import java.util.Map;

/** What an {@link Objective} sees of its trial while it runs. */
public interface TrialContext {

    int number();

    /** The sampled value of each searched parameter. */
    Map<String, Object> params();

    /**
     * Records an intermediate value (e.g. the validation loss after {@code step} training steps) and asks the
     * pruner; returns true when the trial should stop now.
     */
    boolean report(int step, double value);

    /** True once the trial was pruned or the study was asked to stop. */
    boolean shouldStop();

    /** True once the pruner said to stop this trial (then the objective throws {@link TrialPruned}). */
    boolean pruned();

    /** Links the trial to the run it made (its id under the workspace's runs/). */
    void attachRun(String runId);
}
