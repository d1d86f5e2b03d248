package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trials a sampler or pruner sees, with the study's direction folded in: {@link #loss} is the
 * value for a minimized objective and minus the value for a maximized one, so lower is always better.
 */
public record History(List<Trial> trials, boolean maximize) {

    public History {
        trials = List.copyOf(trials);
    }

    public double loss(double value) {
        return maximize ? -value : value;
    }

    public List<Trial> complete() {
        return trials.stream().filter(t -> t.state() == TrialState.COMPLETE && t.value() != null).toList();
    }

    /**
     * Finished trials ranked best first, as TPE splits them: the complete ones by value, then the pruned ones, those
     * that got further first and among equals the better last value.
     */
    public List<Trial> ranked() {
        List<Trial> out = new ArrayList<>(complete().stream().sorted(Comparator.comparingDouble(t -> loss(t.value())))
                .toList());
        out.addAll(trials.stream().filter(t -> t.state() == TrialState.PRUNED && !t.intermediate().isEmpty())
                .sorted(Comparator.comparingInt((Trial t) -> -t.lastStep())
                        .thenComparingDouble(t -> loss(t.lastIntermediate())))
                .toList());
        return out;
    }
}
