package dev.hearth.lab.tune;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Independent uniform draws (log-uniform for log parameters), the baseline every other sampler must beat. */
public record RandomSampler(long seed) implements Sampler {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, History history, int number) {
        SplittableRandom rng = Sampler.random(seed, number);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Param p : space.params()) {
            out.put(p.name(), Sampler.uniform(p, rng));
        }
        return out;
    }
}
