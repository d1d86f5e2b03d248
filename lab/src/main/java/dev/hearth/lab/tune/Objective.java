package dev.hearth.lab.tune;

import java.util.Map;

/**
 * What a study minimises (or maximises): one evaluation per trial. It reports intermediate values
 * through {@link TrialContext#report} and stops early as soon as that or
 * {@link TrialContext#shouldStop} says so: by throwing {@link TrialPruned} when the trial was
 * pruned, {@link TrialInterrupted} when the study is stopping. Returning gives the trial's value;
 * throwing anything else fails the trial, and the study goes on.
 */
public interface Objective {

    double evaluate(TrialContext trial) throws Exception;

    /** A file that reproduces {@code params} outside the study (the best trial's), or null when there is none. */
    default String configFor(Map<String, Object> params) {
        return null;
    }
}
