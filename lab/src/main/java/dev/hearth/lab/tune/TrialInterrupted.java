package dev.hearth.lab.tune;

/**
 * Thrown by an objective that stopped because the study was asked to stop (Ctrl-C); the trial is
 * recorded as failed ("interrupted") and {@code --resume} runs its parameters again.
 */
public final class TrialInterrupted extends RuntimeException {
    public TrialInterrupted() {
        super("interrupted", null, false, false);
    }
}
