package dev.hearth.lab.card;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.lab.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a model came from, gathered from what Hearth recorded along the way: the model folder's
 * files and their SHA-256, the training run (run.json, its config, trainer_state.json), the
 * dataset's manifest (inputs and their hashes, splits, the scrub record) and the parent model
 * the run started from. Nothing is guessed: a part that cannot be found is absent, and
 * {@link #missing()} says which.
 */
public final class Lineage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path model;
    private final ObjectNode root = JSON.createObjectNode();
    private final JsonNode modelConfig;
    private final JsonNode run;
    private final JsonNode runConfig;
    private final JsonNode trainerState;
    private final JsonNode manifest;
    private final ObjectNode privacy;
    private final ObjectNode teacher;
    private final ObjectNode derived;
    private final List<String> missing = new java.util.ArrayList<>();

    /** How many quantize/prune steps back a derived model's training record is looked for. */
    private static final int MAX_DERIVATIONS = 8;

    private Lineage(Path model, int depth) {
        this.model = model;
        this.modelConfig = readJson(model.resolve("config.json"));
        if (modelConfig == null) {
            throw new CardException(model + " has no config.json: it is not a model folder");
        }
        Map<String, String> meta = weightsMetadata(model.resolve("model.safetensors"));
        this.derived = derivedOf(meta);
        // A quantized or pruned model was not trained itself: its training record is its source's.
        Lineage source = null;
        if (derived != null && depth < MAX_DERIVATIONS && Files.isDirectory(Path.of(derived.get("from").asText()))
                && Files.isRegularFile(Path.of(derived.get("from").asText()).resolve("config.json"))) {
            source = new Lineage(Path.of(derived.get("from").asText()), depth + 1);
        }
        JsonNode recorded = readJson(model.resolve("lineage.json"));
        Path runDir = runFolder(model);
        JsonNode ownRun = runDir == null ? field(recorded, "training", "run") : readJson(runDir.resolve("run.json"));
        JsonNode ownConfig = runDir == null ? field(recorded, "training", "config")
                : readJson(runDir.resolve("config.json"));
        JsonNode state = readJson(model.resolve("trainer_state.json"));
        JsonNode ownState = state != null ? state : field(recorded, "training", "trainer_state");
        boolean inherit = source != null && ownRun == null && ownConfig == null;
        this.run = inherit ? source.run : ownRun;
        this.runConfig = inherit ? source.runConfig : ownConfig;
        this.trainerState = inherit ? source.trainerState : ownState;
        Path dataset = runConfig != null && runConfig.path("data").isTextual() ? Path.of(runConfig.get("data").asText()) : null;
        JsonNode m = dataset == null ? null : readJson(dataset.resolve("manifest.json"));
        this.manifest = m != null ? m : inherit ? source.manifest : field(recorded, "data", "manifest");
        ObjectNode ownPrivacy = privacyOf(meta);
        if (ownPrivacy == null && recorded != null && recorded.path("privacy").isObject()) {
            ownPrivacy = (ObjectNode) recorded.get("privacy");   // a lineage.json written before (e.g. inherited)
        }
        // DP's guarantee survives post-processing (quantizing, pruning), not a fine-tune on other data
        boolean postProcessing = derived != null && !derived.has("finetune_steps");
        this.privacy = ownPrivacy != null ? ownPrivacy : inherit && postProcessing ? source.privacy : null;
        this.teacher = teacherOf(meta);
        if (derived != null && source != null) {
            derived.put("training_record", inherit ? "the source's" : "its own");
            if (ownPrivacy == null && source.privacy != null && !postProcessing) {
                derived.put("source_was_private", true);   // but the fine-tune after pruning was not
            }
        }
    }

    /** The safetensors header metadata of the weights file, or an empty map (no file, or sharded). */
    private static Map<String, String> weightsMetadata(Path weights) {
        if (!Files.isRegularFile(weights)) {
            return Map.of();
        }
        try (dev.hearth.engine.io.SafeTensorsFile f = dev.hearth.engine.io.SafeTensorsFile.open(weights)) {
            return f.metadata();
        }
    }

    /**
     * How a quantized or pruned model was made from another, from the entries {@code hearth
     * quantize} and {@code hearth prune} write into the weights' metadata; null for other models.
     */
    private static ObjectNode derivedOf(Map<String, String> meta) {
        ObjectNode d = JSON.createObjectNode();
        if (meta.containsKey("quantized_from")) {
            d.put("how", "quantized").put("format", meta.get("quantization")).put("from", meta.get("quantized_from"));
            d.put("from_sha256", meta.get("quantized_from_sha256"));
        } else if (meta.containsKey("pruned_from")) {
            d.put("how", "pruned").put("method", meta.get("pruning")).put("from", meta.get("pruned_from"));
            if (meta.containsKey("pruning_sparsity")) {
                d.put("sparsity", Double.parseDouble(meta.get("pruning_sparsity")));
            }
            if (meta.containsKey("pruned_from_sha256")) {
                d.put("from_sha256", meta.get("pruned_from_sha256"));
            }
            if (meta.containsKey("pruning_finetune_steps")) {
                d.put("finetune_steps", Integer.parseInt(meta.get("pruning_finetune_steps")));
                d.put("finetune_data", meta.get("pruning_finetune_data"));
            }
        } else {
            return null;
        }
        return d;
    }

    /** A distilled model's teacher, from the distill_* entries distillation writes into the weights' metadata; null if none. */
    private static ObjectNode teacherOf(Map<String, String> meta) {
        if (!meta.containsKey("distill_teacher")) {
            return null;
        }
        ObjectNode t = JSON.createObjectNode();
        t.put("model", meta.get("distill_teacher"));
        if (meta.containsKey("distill_teacher_sha256")) {
            t.put("sha256", meta.get("distill_teacher_sha256"));
        }
        t.put("temperature", Double.parseDouble(meta.getOrDefault("distill_temperature", "NaN")));
        t.put("alpha", Double.parseDouble(meta.getOrDefault("distill_alpha", "NaN")));
        t.put("init_from_teacher", Boolean.parseBoolean(meta.get("distill_init_from_teacher")));
        return t;
    }

    /** A DP-SGD run's guarantee, from the dp_* entries training writes into the checkpoint's metadata; null if none. */
    private static ObjectNode privacyOf(Map<String, String> meta) {
        if (!meta.containsKey("dp_epsilon")) {
            return null;
        }
        ObjectNode p = JSON.createObjectNode();
        meta.forEach((k, v) -> {
            if (k.startsWith("dp_")) {
                String key = k.substring(3);
                try {
                    p.put(key, Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    p.put(key, v);
                }
            }
        });
        return p;
    }

    /** Reads what there is to know about the model folder {@code model}. */
    public static Lineage of(Path model) {
        if (!Files.isDirectory(model)) {
            throw new CardException(model + " is not a folder; give a model folder");
        }
        return new Lineage(model, 0);
    }

    /** lineage.json's content. */
    public ObjectNode toJson() {
        root.removeAll();
        missing.clear();
        root.put("format", "hearth-lineage/1");
        root.put("written_by", BuildInfo.version());
        ObjectNode m = root.putObject("model");
        m.put("folder", model.toAbsolutePath().normalize().toString());
        m.set("config", modelConfig);
        ArrayNode files = m.putArray("files");
        for (Path f : modelFiles()) {
            files.addObject().put("name", model.relativize(f).toString()).put("bytes", size(f)).put("sha256", sha256(f));
        }
        ObjectNode training = root.putObject("training");
        JsonNode tabular = tabularTraining();
        if (tabular != null) {
            training.set("config", tabular);
            Path input = Path.of(tabular.path("data").asText());
            ObjectNode data = root.putObject("data");
            if (Files.isRegularFile(input)) {
                data.putArray("inputs").addObject().put("path", input.toString())
                        .put("bytes", size(input)).put("sha256", sha256(input))
                        .put("hashed", "when the lineage was written; training recorded the path only");
            } else {
                missing.add("training data " + input + " (moved or deleted since training)");
            }
            ArrayNode splits = data.putArray("splits");
            for (String part : List.of("train", "validation", "test")) {
                Path f = model.resolve("data").resolve(part + ".csv");
                if (Files.isRegularFile(f)) {
                    splits.addObject().put("split", part).put("file", "data/" + part + ".csv").put("bytes", size(f))
                            .put("sha256", sha256(f));
                }
            }
            if (tabular.hasNonNull("base_model")) {
                root.putObject("parent").put("model", tabular.get("base_model").asText());
            } else {
                root.putNull("parent");
            }
            root.putNull("privacy");
            root.put("code_version", BuildInfo.version());
            return root;
        }
        if (run == null && runConfig == null) {
            missing.add("training run (run.json and its config.json next to the checkpoints)");
        }
        putIfPresent(training, "run", run);
        putIfPresent(training, "config", runConfig);
        putIfPresent(training, "trainer_state", trainerState);
        if (derived != null) {
            root.putObject("parent").put("model", derived.get("from").asText());
            root.set("derived", derived);
            if (!derived.has("training_record")) {
                missing.add("the source model " + derived.get("from").asText() + " (moved or deleted since it was "
                        + derived.get("how").asText() + "), and with it the training record");
            }
        } else if (runConfig != null && runConfig.hasNonNull("init_from")) {
            root.putObject("parent").put("model", runConfig.get("init_from").asText());
        } else {
            root.putNull("parent");
        }
        if (teacher != null) {
            root.set("teacher", teacher);
        }
        if (privacy != null) {
            root.set("privacy", privacy);
        } else {
            root.putNull("privacy");
        }
        ObjectNode data = root.putObject("data");
        if (manifest == null) {
            missing.add("dataset manifest (the run's data folder's manifest.json)");
        }
        putIfPresent(data, "manifest", manifest);
        root.put("code_version", run != null && run.hasNonNull("hearth_version") ? run.get("hearth_version").asText()
                : BuildInfo.version());
        return root;
    }

    public JsonNode modelConfig() {
        return modelConfig;
    }

    public JsonNode run() {
        return run;
    }

    public JsonNode runConfig() {
        return runConfig;
    }

    public JsonNode trainerState() {
        return trainerState;
    }

    /** A tabular or text classifier's training record (its config.json's "training"), or null for other models. */
    public JsonNode tabularTraining() {
        String task = modelConfig.path("task").asText();
        return ("tabular".equals(task) || "text".equals(task)) && modelConfig.path("training").isObject()
                ? modelConfig.get("training") : null;
    }

    /** The DP-SGD guarantee (epsilon, delta, noise_multiplier, clip_norm, ...) or null for a non-private model. */
    public JsonNode privacy() {
        return privacy;
    }

    public JsonNode manifest() {
        return manifest;
    }

    /** What could not be found, after {@link #toJson()}. */
    public List<String> missing() {
        return List.copyOf(missing);
    }

    /**
     * The model's own files, without the card and lineage this writes and without the copies of
     * data and the evaluation results kept beside it ({@code data/}, {@code eval/}).
     */
    List<Path> modelFiles() {
        try (Stream<Path> s = Files.walk(model)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String top = model.relativize(p).getName(0).toString();
                        return !top.equals("data") && !top.equals("eval");
                    })
                    .filter(p -> !p.getFileName().toString().equals("MODEL_CARD.md")
                            && !p.getFileName().toString().equals("lineage.json")
                            && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new CardException("cannot list " + model + ": " + e.getMessage(), e);
        }
    }

    /** runs/<id>/checkpoints/<name> → runs/<id>, when the model sits in a training run. */
    private static Path runFolder(Path model) {
        Path abs = model.toAbsolutePath().normalize();
        Path checkpoints = abs.getParent();
        if (checkpoints != null && checkpoints.getFileName() != null
                && checkpoints.getFileName().toString().equals("checkpoints") && checkpoints.getParent() != null
                && Files.exists(checkpoints.getParent().resolve("run.json"))) {
            return checkpoints.getParent();
        }
        return null;
    }

    private static void putIfPresent(ObjectNode o, String key, JsonNode value) {
        if (value != null) {
            o.set(key, value);
        }
    }

    private static JsonNode field(JsonNode n, String a, String b) {
        if (n == null) {
            return null;
        }
        JsonNode v = n.path(a).path(b);
        return v.isMissingNode() || v.isNull() ? null : v;
    }

    static JsonNode readJson(Path f) {
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new CardException(f + " is not readable JSON: " + e.getMessage(), e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new CardException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path f) {
        try {
            return dev.hearth.lab.data.Sha256.ofFile(f);
        } catch (IOException e) {
            throw new CardException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
