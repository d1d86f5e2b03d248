package dev.hearth.lab.tune;

/**
 * Thrown by an objective that stopped because {@link TrialContext#report} said to prune it; the
 * trial is recorded as pruned with its last reported value.
 */
public final class TrialPruned extends RuntimeException {
    public TrialPruned() {
        super("pruned", null, false, false);
    }
}
