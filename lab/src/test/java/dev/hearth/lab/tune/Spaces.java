package dev.hearth.lab.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Test helpers: spaces from YAML text, and a sequential search loop over the sampler API alone. */
final class Spaces {
    private Spaces() {}

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static SearchSpace free(String paramsYaml) {
        return SearchSpace.free(yaml(paramsYaml), "test");
    }

    /** Runs {@code n} trials of {@code f} one after another; returns the trials. */
    static List<Trial> search(Sampler sampler, SearchSpace space, int n, ToDoubleFunction<Map<String, Object>> f) {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = sampler.sample(space, new History(trials, false), i);
            trials.add(Trial.started(i, p, null).ended(TrialState.COMPLETE, f.applyAsDouble(p), null));
        }
        return trials;
    }

    static double best(List<Trial> trials) {
        return trials.stream().mapToDouble(Trial::value).min().orElseThrow();
    }
}
