package dev.hearth.lab.tune;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses the parameters of the next trial from the trials so far. Every sampler is seeded: for
 * the same seed and the same history it returns the same parameters, so a study run one trial at
 * a time repeats exactly.
 */
public interface Sampler {

    /** The name recorded in study.json: grid, random, tpe or gp. */
    String name();

    /** The parameters of trial {@code number}, given everything that happened before it. */
    Map<String, Object> sample(SearchSpace space, History history, int number);

    /** Whether there is nothing left to try (only a grid runs out). */
    default boolean exhausted(SearchSpace space, History history) {
        return false;
    }

    /** The random stream of trial {@code number}: independent of the order trials finish in. */
    static SplittableRandom random(long seed, int number) {
        long z = seed * 0x9E3779B97F4A7C15L + number;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    /** A value drawn uniformly (log-uniformly for log parameters) from a parameter's range. */
    static Object uniform(Param p, SplittableRandom rng) {
        return switch (p) {
            case Param.FloatParam f -> f.toValue(f.lowInternal() + rng.nextDouble() * (f.highInternal() - f.lowInternal()));
            case Param.IntParam i -> i.toValue(i.lowInternal() + rng.nextDouble() * (i.highInternal() - i.lowInternal()));
            case Param.CategoricalParam c -> c.choices().get(rng.nextInt(c.choices().size()));
        };
    }
}
