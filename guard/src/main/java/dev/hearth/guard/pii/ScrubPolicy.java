package dev.hearth.guard.pii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to find and what to do with it, read from YAML:
 *
 * <pre>
 * threshold: 0.5            # findings scoring lower are left alone
 * types: [PERSON, EMAIL_ADDRESS, PHONE_NUMBER]   # which to look for (default: all)
 * default: replace          # the operator for types not listed below
 * entities:
 *   PERSON: pseudonym
 *   EMAIL_ADDRESS: {operator: mask, chars: 6, from: start, char: "*"}
 *   PHONE_NUMBER: {operator: hash, length: 16}
 *   CREDIT_CARD: fake
 *   US_SSN: encrypt
 *   LOCATION: {operator: replace, value: "[place]"}
 * fields: [text, comment]   # JSON fields / CSV columns to scrub (default: every text field)
 * names: both               # PERSON/LOCATION from dictionaries (default), model or both
 * name_model: models/ner    # the folder 'hearth pii train-ner' wrote, relative to this file
 * </pre>
 *
 * Every key and name is checked: a typo is an error naming it, never a silently ignored setting.
 */
public record ScrubPolicy(double threshold, Set<EntityType> types, Operator defaultOperator,
                          Map<EntityType, Operator> operators, List<String> fields, NameSource names, Path nameModel) {

    public ScrubPolicy {
        types = Set.copyOf(types);
        operators = Map.copyOf(operators);
        fields = List.copyOf(fields);
    }

    /** Every type, replaced by its tag, threshold 0.5, every field. */
    public static ScrubPolicy defaults() {
        return new ScrubPolicy(PiiAnalyzer.DEFAULT_THRESHOLD, EnumSet.allOf(EntityType.class),
                Operator.of(Operator.Kind.REPLACE), Map.of(), List.of(), NameSource.DICTIONARIES, null);
    }

    public Operator operatorFor(EntityType type) {
        return operators.getOrDefault(type, defaultOperator);
    }

    /** True when any operator in use needs the master key. */
    public boolean needsKey() {
        return types.stream().anyMatch(t -> operatorFor(t).kind().needsKey());
    }

    /** The analyzer this policy asks for; loads the name model when it names one. */
    public PiiAnalyzer analyzer() {
        PiiAnalyzer.Builder b = PiiAnalyzer.builder().types(types).threshold(threshold).names(names);
        if (nameModel != null) {
            b.nameModel(ModelNameRecognizer.load(nameModel));
        }
        return b.build();
    }

    public static ScrubPolicy load(Path file) {
        try {
            return parse(Files.readString(file), file.toString(), file.toAbsolutePath().getParent());
        } catch (NoSuchFileException e) {
            throw new PiiException("the policy file " + file + " does not exist");
        } catch (IOException e) {
            throw new PiiException("cannot read the policy file " + file + ": " + e.getMessage(), e);
        }
    }

    public static ScrubPolicy parse(String yaml, String where) {
        return parse(yaml, where, Path.of(""));
    }

    /** Parses a policy; a relative {@code name_model} is resolved against {@code base}. */
    public static ScrubPolicy parse(String yaml, String where, Path base) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new PiiException(where + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return defaults();
        }
        if (!root.isObject()) {
            throw new PiiException(where + ": a policy is a mapping with threshold, types, default, entities and fields");
        }
        checkKeys(root, Set.of("threshold", "types", "default", "entities", "fields", "names", "name_model"), where);
        double threshold = PiiAnalyzer.DEFAULT_THRESHOLD;
        if (root.has("threshold")) {
            if (!root.get("threshold").isNumber()) {
                throw new PiiException(where + ": threshold must be a number in [0, 1]");
            }
            threshold = root.get("threshold").asDouble();
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new PiiException(where + ": threshold must lie in [0, 1], not " + threshold);
            }
        }
        Set<EntityType> types = EnumSet.allOf(EntityType.class);
        if (root.has("types")) {
            types = EnumSet.noneOf(EntityType.class);
            for (JsonNode t : list(root.get("types"), "types", where)) {
                types.add(EntityType.parse(t.asText()));
            }
            if (types.isEmpty()) {
                throw new PiiException(where + ": types is empty; name at least one type or leave it out for all");
            }
        }
        Operator def = root.has("default") ? operator(root.get("default"), "default", where) : Operator.of(Operator.Kind.REPLACE);
        Map<EntityType, Operator> ops = new EnumMap<>(EntityType.class);
        if (root.has("entities")) {
            JsonNode e = root.get("entities");
            if (!e.isObject()) {
                throw new PiiException(where + ": entities must map a type to an operator");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                var entry = it.next();
                EntityType t = EntityType.parse(entry.getKey());
                ops.put(t, operator(entry.getValue(), "entities." + entry.getKey(), where));
            }
        }
        List<String> fields = new ArrayList<>();
        if (root.has("fields")) {
            for (JsonNode f : list(root.get("fields"), "fields", where)) {
                fields.add(f.asText());
            }
        }
        Path nameModel = null;
        if (root.has("name_model")) {
            if (!root.get("name_model").isTextual() || root.get("name_model").asText().isBlank()) {
                throw new PiiException(where + ": name_model is the path of a folder written by 'hearth pii train-ner'");
            }
            nameModel = base.resolve(root.get("name_model").asText());
        }
        NameSource names = root.has("names") ? NameSource.parse(root.get("names").asText())
                : nameModel == null ? NameSource.DICTIONARIES : NameSource.BOTH;
        if (names != NameSource.DICTIONARIES && nameModel == null) {
            throw new PiiException(where + ": names: " + names.id() + " needs name_model, the folder 'hearth pii"
                    + " train-ner' wrote");
        }
        if (names == NameSource.DICTIONARIES && nameModel != null) {
            throw new PiiException(where + ": name_model is given but names is dictionaries; use model or both, or"
                    + " leave name_model out");
        }
        return new ScrubPolicy(threshold, types, def, ops, fields, names, nameModel);
    }

    private static List<JsonNode> list(JsonNode n, String key, String where) {
        List<JsonNode> out = new ArrayList<>();
        if (n.isTextual()) {
            for (String s : n.asText().split(",")) {
                out.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(s.strip()));
            }
        } else if (n.isArray()) {
            n.forEach(out::add);
        } else {
            throw new PiiException(where + ": " + key + " must be a list");
        }
        return out;
    }

    private static Operator operator(JsonNode n, String key, String where) {
        if (n.isTextual()) {
            return Operator.of(Operator.Kind.parse(n.asText()));
        }
        if (!n.isObject() || !n.has("operator")) {
            throw new PiiException(where + ": " + key + " must be an operator name or {operator: NAME, ...}");
        }
        checkKeys(n, Set.of("operator", "chars", "from", "char", "length", "value"), where + ": " + key);
        Operator.Kind kind = Operator.Kind.parse(n.get("operator").asText());
        String from = n.path("from").asText("start");
        if (!from.equals("start") && !from.equals("end")) {
            throw new PiiException(where + ": " + key + ".from must be start or end, not '" + from + "'");
        }
        try {
            return new Operator(kind, n.path("chars").asInt(0), from.equals("end"), n.path("char").asText("*"),
                    n.path("length").asInt(16), n.has("value") ? n.get("value").asText() : null);
        } catch (PiiException e) {
            throw new PiiException(where + ": " + key + ": " + e.getMessage());
        }
    }

    private static void checkKeys(JsonNode n, Set<String> allowed, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new PiiException(where + ": unknown key '" + k + "'; the keys are " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }
}
