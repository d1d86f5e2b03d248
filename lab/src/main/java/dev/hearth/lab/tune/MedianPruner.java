package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The median stopping rule (Golovin et al., "Google Vizier", KDD 2017), with Optuna's defaults: a
 * trial is stopped at a step when its best value so far is worse than the median of the values
 * that completed trials reported at that same step. Nothing is pruned until {@code nStartupTrials}
 * (5) trials completed, before step {@code nWarmupSteps} (0), or when fewer than {@code nMinTrials}
 * (1) completed trials reported at that step.
 */
public record MedianPruner(int nStartupTrials, int nWarmupSteps, int nMinTrials) implements Pruner {

    public MedianPruner {
        if (nStartupTrials < 0 || nWarmupSteps < 0 || nMinTrials < 1) {
            throw new TuneException("median pruner needs n_startup_trials >= 0, n_warmup_steps >= 0 and"
                    + " n_min_trials >= 1");
        }
    }

    public MedianPruner() {
        this(5, 0, 1);
    }

    @Override
    public String name() {
        return "median";
    }

    @Override
    public boolean prune(Trial trial, History history) {
        int step = trial.lastStep();
        if (step < 0 || step < nWarmupSteps) {
            return false;
        }
        List<Trial> complete = history.complete();
        if (complete.size() < nStartupTrials) {
            return false;
        }
        List<Double> atStep = new ArrayList<>();
        for (Trial t : complete) {
            Double v = t.intermediate().get(step);
            if (v != null && t.number() != trial.number() && Double.isFinite(v)) {
                atStep.add(history.loss(v));
            }
        }
        if (atStep.size() < nMinTrials) {
            return false;
        }
        Collections.sort(atStep);
        int n = atStep.size();
        double median = n % 2 == 1 ? atStep.get(n / 2) : 0.5 * (atStep.get(n / 2 - 1) + atStep.get(n / 2));
        double best = Double.POSITIVE_INFINITY;
        for (double v : trial.intermediate().values()) {
            best = Math.min(best, history.loss(v));
        }
        return best > median || Double.isNaN(trial.lastIntermediate());
    }
}
