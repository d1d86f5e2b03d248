package dev.hearth.lab.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunerTest {

    private static Trial complete(int number, double... valuesAtSteps10) {
        Trial t = Trial.started(number, Map.of(), null);
        for (int i = 0; i < valuesAtSteps10.length; i++) {
            t = t.withReport(10 * (i + 1), valuesAtSteps10[i]);
        }
        return t.ended(TrialState.COMPLETE, valuesAtSteps10[valuesAtSteps10.length - 1], null);
    }

    private static Trial running(int number, double... valuesAtSteps10) {
        Trial t = Trial.started(number, Map.of(), null);
        for (int i = 0; i < valuesAtSteps10.length; i++) {
            t = t.withReport(10 * (i + 1), valuesAtSteps10[i]);
        }
        return t;
    }

    @Test
    void theMedianRuleStopsATrialWorseThanTheMedianAtTheSameStep() {
        List<Trial> done = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            done.add(complete(i, 3.0 - 0.1 * i, 2.5 - 0.1 * i, 2.0 - 0.1 * i));
        }
        MedianPruner median = new MedianPruner();
        Trial bad = running(5, 3.5);
        Trial good = running(6, 2.0);
        List<Trial> all = new ArrayList<>(done);
        all.add(bad);
        all.add(good);
        History h = new History(all, false);
        assertThat(median.prune(bad, h)).isTrue();
        assertThat(median.prune(good, h)).isFalse();
        // before n_startup_trials complete trials nothing is pruned
        assertThat(median.prune(bad, new History(List.of(done.get(0), bad), false))).isFalse();
        // warm-up steps protect early reports
        assertThat(new MedianPruner(5, 20, 1).prune(bad, h)).isFalse();
        // maximizing turns it around
        assertThat(median.prune(bad, new History(all, true))).isFalse();
    }

    @Test
    void ashaKeepsTheBestQuarterAtEachRungAndAlwaysTheLeader() {
        SuccessiveHalvingPruner asha = new SuccessiveHalvingPruner(10, 4, 0);
        List<Trial> all = new ArrayList<>();
        Trial first = running(0, 3.0);
        all.add(first);
        assertThat(asha.prune(first, new History(all, false))).as("alone at the rung: promoted").isFalse();
        for (int i = 1; i < 8; i++) {
            all.add(running(i, 2.0 + 0.1 * i));
        }
        Trial best = running(8, 1.5);
        Trial second = running(9, 2.05);
        Trial worst = running(10, 2.95);
        all.add(best);
        all.add(second);
        all.add(worst);
        History h = new History(all, false);
        // 11 values at rung 0 (step 10): 11 / 4 = 2 promoted
        assertThat(asha.prune(best, h)).isFalse();
        assertThat(asha.prune(second, h)).isFalse();
        assertThat(asha.prune(worst, h)).isTrue();
        // the next report before rung 1 (step 40) decides nothing new
        Trial later = worst.withReport(20, 9.0);
        assertThat(asha.prune(later, h)).isFalse();
    }
}
