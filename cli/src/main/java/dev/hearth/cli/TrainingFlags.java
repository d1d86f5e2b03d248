package dev.hearth.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The training settings {@code hearth train} and {@code hearth distill} both take as flags. */
final class TrainingFlags {

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any training setting, e.g. --set model.layers=6 --set lr=3e-4 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--max-steps", paramLabel = "N", description = "Optimizer steps.")
    Integer maxSteps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Sequences per micro-batch.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate.")
    Double lr;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between evaluations.")
    Integer evalEvery;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for weights, batches and dropout.")
    Long seed;

    /** The --set entries, then {@code data} (when not null), then the flags, which win over --set. */
    Map<String, String> overrides(String data) {
        Map<String, String> o = new LinkedHashMap<>(set);
        if (data != null) {
            o.put("data", data);
        }
        put(o, "max_steps", maxSteps);
        put(o, "batch_size", batchSize);
        put(o, "lr", lr);
        put(o, "eval_every", evalEvery);
        put(o, "seed", seed);
        return o;
    }

    /** Whether any setting was given. */
    boolean any() {
        return !overrides(null).isEmpty();
    }

    private static void put(Map<String, String> o, String key, Object value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }
}
