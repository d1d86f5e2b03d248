package dev.hearth.guard.explain;

import java.util.List;

/**
 * The model seen through coalitions of features, what perturbation methods (occlusion, LIME,
 * KernelSHAP) query: the target's score when only some features are present and the others take
 * their reference value (a baseline, background rows averaged over, a replacement token).
 */
public interface CoalitionModel {

    /** The features' names, in coalition order. */
    List<String> featureNames();

    /** The output whose score is explained. */
    int target();

    /** The target's score for each coalition ({@code true}: the feature keeps the input's value). */
    double[] scores(List<boolean[]> coalitions);

    /** The score with every feature present: the prediction being explained. */
    default double fullScore() {
        boolean[] all = new boolean[featureNames().size()];
        java.util.Arrays.fill(all, true);
        return scores(List.of(all))[0];
    }

    /** The score with no feature present: the reference. */
    default double emptyScore() {
        return scores(List.<boolean[]>of(new boolean[featureNames().size()]))[0];
    }
}
