package dev.hearth.guard.dp;

import java.util.List;

/** Turns the steps a training run took into the (epsilon, delta) guarantee they add up to. */
public interface PrivacyAccountant {

    /** The smallest epsilon this accountant can prove for these phases at this delta, which must be in (0, 1). */
    PrivacySpent epsilon(List<SampledGaussian> phases, double delta);

    /** The same for a single phase. */
    default PrivacySpent epsilon(SampledGaussian phase, double delta) {
        return epsilon(List.of(phase), delta);
    }

    /** A short name for reports: "rdp" or "pld". */
    String name();

    /** Rejects a delta outside (0, 1) with a message that says what delta is for. */
    static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new DpException("delta must be in (0, 1), got " + delta
                    + ": use a value well below 1/(number of training examples), such as 1e-5");
        }
    }

    /** Rejects an empty list of phases. */
    static void checkPhases(List<SampledGaussian> phases) {
        if (phases == null || phases.isEmpty()) {
            throw new DpException("no steps to account for: give at least one phase of training steps");
        }
    }
}
