package dev.hearth.lab.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a study searches: the direction, the sampler and the pruner with their options, the seed,
 * and the space (the {@code params} section, kept as written). Read from a study file:
 *
 * <pre>
 * direction: minimize           # or maximize
 * sampler: tpe                  # grid | random | tpe | gp, or {type: tpe, n_startup_trials: 10, ...}
 * pruner: median                # none | median | asha, or {type: asha, reduction_factor: 3, ...}
 * seed: 1
 * params: {...}                 # see SearchSpace
 * </pre>
 */
public record StudySpec(String direction, Map<String, Object> sampler, Map<String, Object> pruner, long seed,
                        JsonNode params) {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, Set<String>> SAMPLER_OPTIONS = Map.of(
            "grid", Set.of("type"), "random", Set.of("type"),
            "tpe", Set.of("type", "n_startup_trials", "gamma", "n_ei_candidates", "prior_weight"),
            "gp", Set.of("type", "n_startup_trials", "candidates"));
    private static final Map<String, Set<String>> PRUNER_OPTIONS = Map.of(
            "none", Set.of("type"),
            "median", Set.of("type", "n_startup_trials", "n_warmup_steps", "n_min_trials"),
            "asha", Set.of("type", "min_resource", "reduction_factor", "min_early_stopping_rate"));
    private static final Set<String> TOP = Set.of("direction", "sampler", "pruner", "seed", "params");

    public StudySpec {
        if (!"minimize".equals(direction) && !"maximize".equals(direction)) {
            throw new TuneException("direction must be minimize or maximize, got '" + direction + "'");
        }
        check("sampler", sampler, SAMPLER_OPTIONS);
        check("pruner", pruner, PRUNER_OPTIONS);
    }

    /** Reads a study file's tree; {@code source} names it in errors. Unknown top-level keys are errors. */
    public static StudySpec read(JsonNode tree, String source) {
        if (tree == null || !tree.isObject()) {
            throw new TuneException(source + ": a study file is a YAML mapping with params: (and optionally"
                    + " direction, sampler, pruner, seed)");
        }
        Iterator<String> names = tree.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!TOP.contains(k)) {
                throw new TuneException(source + ": unknown key '" + k + "'; a study file has " + TOP);
            }
        }
        long seed = 0;
        if (tree.has("seed")) {
            if (!tree.get("seed").canConvertToLong() || !tree.get("seed").isIntegralNumber()) {
                throw new TuneException(source + ": seed must be a whole number, got " + tree.get("seed"));
            }
            seed = tree.get("seed").asLong();
        }
        return new StudySpec(tree.path("direction").asText("minimize"), options(tree.get("sampler"), "tpe", source),
                options(tree.get("pruner"), "none", source), seed, tree.get("params"));
    }

    /** This spec with the sampler, pruner or seed replaced where the argument is not null (command-line flags). */
    public StudySpec with(String samplerType, String prunerType, Long newSeed) {
        Map<String, Object> s = samplerType == null || samplerType.equals(sampler.get("type")) ? sampler
                : Map.of("type", samplerType);
        Map<String, Object> p = prunerType == null || prunerType.equals(pruner.get("type")) ? pruner
                : Map.of("type", prunerType);
        return new StudySpec(direction, s, p, newSeed == null ? seed : newSeed, params);
    }

    public boolean maximize() {
        return "maximize".equals(direction);
    }

    public Sampler newSampler() {
        return switch ((String) sampler.get("type")) {
            case "grid" -> new GridSampler(seed);
            case "random" -> new RandomSampler(seed);
            case "gp" -> new GpSampler(seed, integer(sampler, "n_startup_trials", 10), integer(sampler, "candidates", 2000));
            default -> new TpeSampler(seed, integer(sampler, "n_startup_trials", 10), real(sampler, "gamma", 0.1),
                    integer(sampler, "n_ei_candidates", 24), real(sampler, "prior_weight", 1.0));
        };
    }

    public Pruner newPruner() {
        return switch ((String) pruner.get("type")) {
            case "median" -> new MedianPruner(integer(pruner, "n_startup_trials", 5), integer(pruner, "n_warmup_steps", 0),
                    integer(pruner, "n_min_trials", 1));
            case "asha" -> new SuccessiveHalvingPruner(integer(pruner, "min_resource", 0),
                    integer(pruner, "reduction_factor", 4), integer(pruner, "min_early_stopping_rate", 0));
            default -> new Pruner.None();
        };
    }

    private static Map<String, Object> options(JsonNode node, String dflt, String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            out.put("type", dflt);
        } else if (node.isTextual()) {
            out.put("type", node.asText());
        } else if (node.isObject()) {
            ((ObjectNode) node).properties().forEach(e -> out.put(e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
            if (!out.containsKey("type")) {
                throw new TuneException(source + ": " + node + " needs a type");
            }
        } else {
            throw new TuneException(source + ": expected a name or {type: ..., options}, got " + node);
        }
        return out;
    }

    private static void check(String what, Map<String, Object> options, Map<String, Set<String>> known) {
        Object type = options.get("type");
        Set<String> allowed = known.get(String.valueOf(type));
        if (allowed == null) {
            throw new TuneException(what + " '" + type + "' is not one of " + known.keySet());
        }
        for (String k : options.keySet()) {
            if (!allowed.contains(k)) {
                throw new TuneException(what + " " + type + ": unknown option '" + k + "'; known: " + allowed);
            }
        }
        for (var e : options.entrySet()) {
            if (!e.getKey().equals("type") && !(e.getValue() instanceof Number)) {
                throw new TuneException(what + " " + type + ": option " + e.getKey() + " must be a number, got '"
                        + e.getValue() + "'");
            }
        }
    }

    private static int integer(Map<String, Object> m, String k, int dflt) {
        Object v = m.get(k);
        if (v == null) {
            return dflt;
        }
        double d = ((Number) v).doubleValue();
        if (d != Math.rint(d)) {
            throw new TuneException("option " + k + " must be a whole number, got " + v);
        }
        return (int) d;
    }

    private static double real(Map<String, Object> m, String k, double dflt) {
        Object v = m.get(k);
        return v == null ? dflt : ((Number) v).doubleValue();
    }

    JsonNode toJson() {
        return JSON.valueToTree(this);
    }
}
