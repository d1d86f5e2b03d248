package dev.hearth.lab.tune;

/** Where a trial stands. */
public enum TrialState {
    /** Started, not yet ended (in study.json after a crash: the trial was cut; {@code --resume} runs it again). */
    RUNNING,
    /** Ran to the end; its value is the objective. */
    COMPLETE,
    /** Stopped early by the pruner; its value is the last one it reported. */
    PRUNED,
    /** The objective threw (a diverging or impossible config, an interruption); the error says why. */
    FAIL
}
