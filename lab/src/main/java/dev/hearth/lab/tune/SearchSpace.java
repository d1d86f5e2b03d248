package dev.hearth.lab.tune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.engine.HearthException;
import dev.hearth.lab.train.TrainConfigReader;
import dev.hearth.lab.train.TrainConfigReader.SettingType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings a study searches, in order, read from the {@code params} section of a study file:
 *
 * <pre>
 * params:
 *   lr:           {type: float, low: 1.0e-4, high: 1.0e-2, log: true}
 *   model.layers: {type: int, low: 1, high: 4}
 *   model.dim:    {type: int, low: 32, high: 128, step: 32}
 *   schedule:     {type: categorical, choices: [cosine, linear]}
 * </pre>
 *
 * Every mistake is an error naming the parameter: an unknown setting, a type that does not fit it
 * (a float for a whole-number setting, a text choice for a number), an empty or inverted range, a
 * log range that does not start above zero, a step that is not positive, an unknown field.
 */
public record SearchSpace(List<Param> params) {

    public SearchSpace {
        if (params.isEmpty()) {
            throw new TuneException("the search space has no parameters: add some under params:");
        }
        params = List.copyOf(params);
    }

    public Param param(String name) {
        for (Param p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new TuneException("no parameter '" + name + "' in the search space");
    }

    /** A space over training settings: each key must be a setting of {@code hearth train} and fit its type. */
    public static SearchSpace forTraining(JsonNode params, String source) {
        return parse(params, source, key -> {
            try {
                return TrainConfigReader.settingType(key);
            } catch (HearthException e) {
                throw new TuneException(source + ": parameter '" + key + "': " + e.getMessage(), e);
            }
        });
    }

    /** A space over free names (for objectives that are not training runs): any key, any type. */
    public static SearchSpace free(JsonNode params, String source) {
        return parse(params, source, key -> null);
    }

    private static final Set<String> FLOAT_FIELDS = Set.of("type", "low", "high", "log", "step", "points");
    private static final Set<String> INT_FIELDS = Set.of("type", "low", "high", "log", "step");
    private static final Set<String> CATEGORICAL_FIELDS = Set.of("type", "choices");

    private static SearchSpace parse(JsonNode params, String source, Function<String, SettingType> typeOf) {
        if (params == null || params.isMissingNode() || params.isNull()) {
            throw new TuneException(source + ": no params: section; list the settings to search, e.g."
                    + " params: {lr: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}}");
        }
        if (!params.isObject()) {
            throw new TuneException(source + ": params: must map each setting to its range");
        }
        List<Param> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : params.properties()) {
            out.add(parseOne(e.getKey(), e.getValue(), source, typeOf.apply(e.getKey())));
        }
        return new SearchSpace(out);
    }

    private static Param parseOne(String name, JsonNode spec, String source, SettingType setting) {
        String where = source + ": parameter '" + name + "'";
        if (!spec.isObject()) {
            throw new TuneException(where + " needs a mapping such as {type: float, low: 0.1, high: 1.0}");
        }
        String type = spec.path("type").asText("");
        Set<String> allowed = switch (type) {
            case "float" -> FLOAT_FIELDS;
            case "int" -> INT_FIELDS;
            case "categorical" -> CATEGORICAL_FIELDS;
            default -> throw new TuneException(where + ": type must be float, int or categorical, got '"
                    + spec.path("type").asText("(none)") + "'");
        };
        spec.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new TuneException(where + ": unknown field '" + f + "' for a " + type + " parameter; known: "
                        + allowed);
            }
        });
        if (type.equals("categorical")) {
            return categorical(name, spec, where, setting);
        }
        boolean log = bool(spec, "log", where);
        if (type.equals("float")) {
            if (setting == SettingType.INTEGER || setting == SettingType.BOOLEAN || setting == SettingType.TEXT) {
                throw new TuneException(where + ": the setting holds " + describe(setting) + ", not a real number;"
                        + (setting == SettingType.INTEGER ? " use type: int" : " use type: categorical"));
            }
            double low = number(spec, "low", where);
            double high = number(spec, "high", where);
            checkRange(low, high, log, where);
            Double step = spec.has("step") ? number(spec, "step", where) : null;
            if (step != null && (step <= 0 || log)) {
                throw new TuneException(where + ": " + (log ? "step cannot be combined with log: true"
                        : "step must be positive, got " + step));
            }
            if (step != null && step > high - low) {
                throw new TuneException(where + ": step " + step + " is wider than the range [" + low + ", " + high
                        + "], which then holds one value: widen the range or drop step");
            }
            int points = 0;
            if (spec.has("points")) {
                double p = number(spec, "points", where);
                if (p != Math.rint(p) || p < 2) {
                    throw new TuneException(where + ": points (values for the grid sampler) must be a whole number"
                            + " of at least 2, got " + spec.get("points").asText());
                }
                points = (int) p;
            }
            return new Param.FloatParam(name, low, high, log, step, points);
        }
        if (setting != null && setting != SettingType.INTEGER && setting != SettingType.NUMBER) {
            throw new TuneException(where + ": the setting holds " + describe(setting) + "; use type: categorical");
        }
        long low = whole(spec, "low", where);
        long high = whole(spec, "high", where);
        checkRange(low, high, log, where);
        long step = spec.has("step") ? whole(spec, "step", where) : 1;
        if (step < 1) {
            throw new TuneException(where + ": step must be at least 1, got " + step);
        }
        if (log && step != 1) {
            throw new TuneException(where + ": step cannot be combined with log: true");
        }
        if (step > high - low) {
            throw new TuneException(where + ": step " + step + " is wider than the range [" + low + ", " + high
                    + "], which then holds one value: widen the range or lower step");
        }
        return new Param.IntParam(name, low, high, step, log);
    }

    private static Param categorical(String name, JsonNode spec, String where, SettingType setting) {
        JsonNode choices = spec.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new TuneException(where + ": choices must be a non-empty list, e.g. choices: [32, 64, 128]");
        }
        List<Object> values = new ArrayList<>();
        for (JsonNode c : choices) {
            Object v;
            if (c.isIntegralNumber()) {
                v = c.asLong();
            } else if (c.isNumber()) {
                v = c.asDouble();
            } else if (c.isBoolean()) {
                v = c.asBoolean();
            } else if (c.isTextual()) {
                v = c.asText();
            } else {
                throw new TuneException(where + ": choice " + c + " is not a number, text or true/false");
            }
            if (setting != null) {
                v = fit(v, setting, where);
            }
            if (values.contains(v)) {
                throw new TuneException(where + ": choice " + v + " is listed twice");
            }
            values.add(v);
        }
        if (values.size() < 2) {
            throw new TuneException(where + ": a single choice (" + values.get(0) + ") is not a search; set it in the"
                    + " base config instead, or add choices");
        }
        return new Param.CategoricalParam(name, values);
    }

    /** A choice converted to the setting's type, or an error naming the parameter. */
    private static Object fit(Object v, SettingType setting, String where) {
        switch (setting) {
            case INTEGER -> {
                if (v instanceof Long) {
                    return v;
                }
                if (v instanceof String s) {
                    try {
                        return Long.parseLong(s);
                    } catch (NumberFormatException e) {
                        // fall through to the error
                    }
                }
            }
            case NUMBER -> {
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                if (v instanceof String s) {
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        // fall through to the error
                    }
                }
            }
            case BOOLEAN -> {
                if (v instanceof Boolean) {
                    return v;
                }
            }
            case TEXT -> {
                return v.toString();
            }
        }
        throw new TuneException(where + ": choice " + v + " does not fit the setting, which holds "
                + describe(setting));
    }

    private static String describe(SettingType t) {
        return switch (t) {
            case INTEGER -> "a whole number";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case TEXT -> "text";
        };
    }

    private static void checkRange(double low, double high, boolean log, String where) {
        if (low > high) {
            throw new TuneException(where + ": low (" + low + ") is above high (" + high + "); swap them");
        }
        if (low == high) {
            throw new TuneException(where + ": the range [" + low + ", " + high + "] is empty (low equals high);"
                    + " widen it, or set the value in the base config instead");
        }
        if (log && low <= 0) {
            throw new TuneException(where + ": a log range needs low > 0, got " + low);
        }
    }

    private static boolean bool(JsonNode spec, String field, String where) {
        JsonNode n = spec.get(field);
        if (n == null) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new TuneException(where + ": " + field + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static double number(JsonNode spec, String field, String where) {
        JsonNode n = spec.get(field);
        if (n == null) {
            throw new TuneException(where + ": " + field + " is missing");
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) { // YAML reads 1e-4 (no dot) as text
            try {
                double v = Double.parseDouble(n.asText().trim());
                if (Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // the error below
            }
        }
        throw new TuneException(where + ": " + field + " must be a number, got " + n);
    }

    private static long whole(JsonNode spec, String field, String where) {
        double v = number(spec, field, where);
        if (v != Math.rint(v) || Math.abs(v) > 1e15) {
            throw new TuneException(where + ": " + field + " must be a whole number for an int parameter, got " + v);
        }
        return (long) v;
    }

    /** The number of values a parameter takes in a grid, or an error when it has no finite grid. */
    public static List<Object> gridValues(Param p) {
        List<Object> values = new ArrayList<>();
        switch (p) {
            case Param.CategoricalParam c -> values.addAll(c.choices());
            case Param.IntParam i -> {
                if ((i.top() - i.low()) / i.step() + 1 > 10_000) {
                    throw new TuneException("the grid sampler would try " + ((i.top() - i.low()) / i.step() + 1)
                            + " values of '" + i.name() + "': give it a step, or use another sampler");
                }
                for (long v = i.low(); v <= i.high(); v += i.step()) {
                    values.add(v);
                }
            }
            case Param.FloatParam f -> {
                if (f.step() != null) {
                    for (long k = 0; f.low() + k * f.step() <= f.high() + 1e-12 * Math.abs(f.high()); k++) {
                        values.add(f.low() + k * f.step());
                    }
                } else if (f.points() >= 2) {
                    for (int k = 0; k < f.points(); k++) {
                        double x = f.lowInternal() + (f.highInternal() - f.lowInternal()) * k / (f.points() - 1);
                        values.add(f.log() ? Math.exp(x) : x);
                    }
                } else {
                    throw new TuneException("the grid sampler needs a finite set of values for the float parameter '"
                            + f.name() + "': add points: N (N evenly spaced values) or step: S to it");
                }
            }
        }
        return values;
    }

    /** The values as strings for {@code --set}. */
    public static Map<String, String> asSettings(Map<String, Object> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }
}
