package dev.hearth.lab.tune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One evaluation of the objective at {@code params}, as recorded in study.json.
 *
 * @param number       0, 1, 2, ... in the order trials started
 * @param state        running, complete, pruned or failed
 * @param params       the value of each searched setting
 * @param value        the objective (complete), the last reported value (pruned), else null
 * @param intermediate values reported during the trial, by step (validation loss at each evaluation)
 * @param runId        the training run of this trial (under the workspace's runs/), or null
 * @param error        why a failed trial failed
 * @param retryOf      the trial this one repeats (its run was cut by a crash or a stop), or null
 * @param seconds      how long it ran
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Trial(int number, TrialState state, Map<String, Object> params, Double value,
                    TreeMap<Integer, Double> intermediate, @JsonProperty("run_id") String runId, String error,
                    @JsonProperty("retry_of") Integer retryOf, String started, String ended, Double seconds) {

    public Trial {
        intermediate = intermediate == null ? new TreeMap<>() : new TreeMap<>(intermediate);
    }

    static Trial started(int number, Map<String, Object> params, Integer retryOf) {
        return new Trial(number, TrialState.RUNNING, params, null, new TreeMap<>(), null, null, retryOf,
                Instant.now().toString(), null, null);
    }

    Trial withRun(String id) {
        return new Trial(number, state, params, value, intermediate, id, error, retryOf, started, ended, seconds);
    }

    Trial withReport(int step, double v) {
        TreeMap<Integer, Double> m = new TreeMap<>(intermediate);
        m.put(step, v);
        return new Trial(number, state, params, value, m, runId, error, retryOf, started, ended, seconds);
    }

    Trial ended(TrialState s, Double v, String err) {
        Instant now = Instant.now();
        return new Trial(number, s, params, v, intermediate, runId, err, retryOf, started, now.toString(),
                started == null ? null : Duration.between(Instant.parse(started), now).toMillis() / 1000.0);
    }

    /** The last reported value, or NaN when none. */
    double lastIntermediate() {
        return intermediate.isEmpty() ? Double.NaN : intermediate.lastEntry().getValue();
    }

    /** The last reported step, or -1 when none. */
    int lastStep() {
        return intermediate.isEmpty() ? -1 : intermediate.lastKey();
    }
}
