package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020), as Optuna's SuccessiveHalvingPruner does it. Rung k sits at
 * step {@code minResource * reductionFactor^(minEarlyStoppingRate + k)}. When a trial first
 * reports at or past a rung, its value there is compared with the values every other trial (running
 * ones included) had at that rung: it goes on only if it is among the best
 * {@code 1 / reductionFactor} of them (the best one always goes on, so the first trials are never
 * held back waiting for company). Defaults: reduction factor 4, minimum early-stopping rate 0, and
 * {@code minResource} 0 = the first step any trial reported at (the training's eval_every).
 */
public record SuccessiveHalvingPruner(int minResource, int reductionFactor, int minEarlyStoppingRate)
        implements Pruner {

    public SuccessiveHalvingPruner {
        if (minResource < 0 || reductionFactor < 2 || minEarlyStoppingRate < 0) {
            throw new TuneException("asha needs min_resource >= 0 (0 = auto), reduction_factor >= 2 and"
                    + " min_early_stopping_rate >= 0");
        }
    }

    public SuccessiveHalvingPruner() {
        this(0, 4, 0);
    }

    @Override
    public String name() {
        return "asha";
    }

    @Override
    public boolean prune(Trial trial, History history) {
        int step = trial.lastStep();
        if (step < 0) {
            return false;
        }
        long min = minResource > 0 ? minResource : firstStep(history, trial);
        if (Double.isNaN(trial.lastIntermediate())) {
            return true;
        }
        Integer previous = trial.intermediate().lowerKey(step);
        for (int rung = 0; ; rung++) {
            long resource = min * pow(reductionFactor, minEarlyStoppingRate + rung);
            if (resource > step) {
                return false;
            }
            if (previous != null && previous >= resource) {
                continue; // this rung was decided at an earlier report
            }
            double mine = history.loss(trial.lastIntermediate());
            List<Double> competing = new ArrayList<>();
            competing.add(mine);
            for (Trial t : history.trials()) {
                if (t.number() == trial.number()) {
                    continue;
                }
                Map.Entry<Integer, Double> at = t.intermediate().ceilingEntry((int) Math.min(resource, Integer.MAX_VALUE));
                if (at != null && Double.isFinite(at.getValue())) {
                    competing.add(history.loss(at.getValue()));
                }
            }
            Collections.sort(competing);
            int promotable = Math.max(0, competing.size() / reductionFactor - 1);
            if (mine > competing.get(promotable)) {
                return true;
            }
        }
    }

    private static long firstStep(History history, Trial trial) {
        long first = trial.intermediate().firstKey();
        for (Trial t : history.trials()) {
            if (!t.intermediate().isEmpty()) {
                first = Math.min(first, t.intermediate().firstKey());
            }
        }
        return Math.max(1, first);
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r = Math.multiplyExact(r, base);
        }
        return r;
    }
}
