package dev.hearth.lab.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Builds a {@link TrainConfig} from the defaults, a YAML file and {@code key=value} overrides
 * (dotted keys reach into sections: {@code model.layers=6}), in that order. Unknown keys and
 * values of the wrong type are errors that name the key.
 */
public final class TrainConfigReader {
    private TrainConfigReader() {}

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** nanoGPT's Tiny Shakespeare CPU recipe, data left to fill in. */
    public static TrainConfig defaults(String data) {
        return new TrainConfig(ModelSpec.nanoGptCpu(), data, 12, 1, 2000, 1e-3, 1e-4, 100, "cosine", 0.1, 0.9, 0.99,
                1.0, 250, 20, 0, 0, 1337, null);
    }

    /**
     * The defaults, then {@code file} (may be null), then the overrides. {@code data} may be
     * left out of the file when an override sets it.
     */
    public static TrainConfig read(Path file, Map<String, String> overrides) {
        ObjectNode tree = JSON.valueToTree(defaults("unset"));
        if (file != null) {
            JsonNode user;
            try {
                user = YAML.readTree(Files.readString(file));
            } catch (IOException e) {
                throw new HearthException("cannot read the training config " + file + ": " + e.getMessage(), e);
            }
            if (user != null && !user.isMissingNode() && !user.isNull()) {
                if (!user.isObject()) {
                    throw new HearthException(file + ": a training config is a YAML mapping of settings");
                }
                merge(tree, (ObjectNode) user);
            }
        }
        overrides.forEach((k, v) -> set(tree, k, v));
        return fromTree(tree, file == null ? "the settings" : file.toString());
    }

    /** A config from its JSON form, as a run folder records it. */
    public static TrainConfig fromJson(Path file) {
        try {
            return fromTree((ObjectNode) JSON.readTree(Files.readString(file)), file.toString());
        } catch (IOException | ClassCastException e) {
            throw new HearthException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static TrainConfig fromTree(ObjectNode tree, String source) {
        if ("unset".equals(tree.path("data").asText())) {
            throw new HearthException(source + ": no data set; give a dataset folder (data: ... in the config,"
                    + " or --data)");
        }
        try {
            return JSON.treeToValue(tree, TrainConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new HearthException(source + ": unknown setting '" + path(e) + "'; known: " + e.getKnownPropertyIds(), e);
        } catch (InvalidFormatException e) {
            throw new HearthException(source + ": '" + path(e) + "' cannot be " + e.getValue() + " (expected "
                    + e.getTargetType().getSimpleName() + ")", e);
        } catch (IOException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HearthException h) {
                throw new HearthException(source + ": " + h.getMessage(), e);
            }
            String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new HearthException(source + ": " + m, e);
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            }
        }
        return sb.toString();
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            var e = it.next();
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue() instanceof ObjectNode v) {
                merge(o, v);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    /** What kind of value a setting holds. */
    public enum SettingType { INTEGER, NUMBER, BOOLEAN, TEXT }

    /**
     * The type of the setting {@code key} (dotted, as for {@code --set}); an unknown key or a section is an error
     * that names it.
     */
    public static SettingType settingType(String key) {
        JsonNode node = JSON.valueToTree(defaults("unset"));
        for (String part : key.split("\\.", -1)) {
            if (!(node instanceof ObjectNode o) || !o.has(part)) {
                throw new HearthException("unknown setting '" + key + "'; settings are the keys of docs/training.md,"
                        + " e.g. lr, batch_size, model.layers");
            }
            node = o.get(part);
        }
        if (node.isObject()) {
            throw new HearthException("'" + key + "' is a section, not a setting; name one of its keys, e.g. "
                    + key + "." + node.fieldNames().next());
        }
        if (node.isBoolean()) {
            return SettingType.BOOLEAN;
        }
        if (node.isIntegralNumber()) {
            return SettingType.INTEGER;
        }
        return node.isNumber() ? SettingType.NUMBER : SettingType.TEXT;
    }

    /** {@code config} as YAML that {@link #read} reads back to the same config. */
    public static String toYaml(TrainConfig config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets a dotted key from a string, typed by the value it replaces (numbers, booleans, null). */
    private static void set(ObjectNode tree, String key, String value) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (!(next instanceof ObjectNode o)) {
                throw new HearthException("unknown setting '" + key + "': '" + parts[i] + "' is not a section");
            }
            node = o;
        }
        String leaf = parts[parts.length - 1];
        JsonNode old = node.get(leaf);
        if (old == null) {
            throw new HearthException("unknown setting '" + key + "'");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        try {
            if (value.equals("null")) {
                node.set(leaf, f.nullNode());
            } else if (old.isBoolean()) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new NumberFormatException();
                }
                node.set(leaf, f.booleanNode(Boolean.parseBoolean(value)));
            } else if (old.isIntegralNumber()) {
                node.set(leaf, f.numberNode(Long.parseLong(value.replace("_", ""))));
            } else if (old.isNumber()) {
                node.set(leaf, f.numberNode(Double.parseDouble(value)));
            } else {
                node.set(leaf, f.textNode(value));
            }
        } catch (NumberFormatException e) {
            throw new HearthException("setting '" + key + "' needs a " + (old.isBoolean() ? "true/false" : "number")
                    + ", got '" + value + "'");
        }
    }
}
