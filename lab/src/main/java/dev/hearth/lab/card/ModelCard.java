package dev.hearth.lab.card;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MODEL_CARD.md (Mitchell et al., 2019, with Hugging Face's metadata block) and lineage.json for
 * a model folder, written from what Hearth recorded — the model's config and files, the training
 * run, the dataset's manifest and scrub record, the privacy budget — and from the result files
 * given as evidence. Nothing is invented: a section with no evidence says so and names the
 * command that would give it.
 *
 * @param model        the model folder
 * @param name         the model's name in the card (default: the folder's name)
 * @param license      an SPDX id or "other"; null when not stated
 * @param languages    ISO 639-1 codes; empty when not stated
 * @param intendedUse  what the model is for, in the owner's words; null when not stated
 * @param outOfScope   what it must not be used for; null when not stated
 * @param evidence     result files to quote
 */
public record ModelCard(Path model, String name, String license, List<String> languages, String intendedUse,
                        String outOfScope, List<Evidence> evidence) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ModelCard {
        languages = List.copyOf(languages);
        evidence = List.copyOf(evidence);
        for (String l : languages) {
            if (!l.matches("[a-z]{2,3}")) {
                throw new CardException("language '" + l + "' is not an ISO 639 code such as en or zh");
            }
        }
        if (license != null && !license.matches("[A-Za-z0-9.+-]+")) {
            throw new CardException("license '" + license + "' is not an SPDX identifier (e.g. apache-2.0, mit) or 'other'");
        }
    }

    /** What was written, and which sections have no evidence. */
    public record Written(Path card, Path lineage, List<String> withoutEvidence) {}

    /** Writes MODEL_CARD.md and lineage.json into {@code out} (the model folder, usually). */
    public Written write(Path out) {
        Lineage lineage = Lineage.of(model);
        ObjectNode lineageJson = lineage.toJson();
        List<String> without = new ArrayList<>();
        String md = render(lineage, lineageJson, without);
        try {
            Files.createDirectories(out);
            Path card = out.resolve("MODEL_CARD.md");
            Path lin = out.resolve("lineage.json");
            atomic(lin, JSON.writeValueAsString(lineageJson));
            atomic(card, md);
            return new Written(card, lin, without);
        } catch (IOException e) {
            throw new CardException("cannot write the card into " + out + ": " + e.getMessage(), e);
        }
    }

    private String render(Lineage lin, JsonNode lineageJson, List<String> without) {
        JsonNode cfg = lin.modelConfig();
        JsonNode run = lin.run();
        JsonNode runCfg = lin.runConfig();
        JsonNode manifest = lin.manifest();
        String title = name != null ? name : model.toAbsolutePath().normalize().getFileName().toString();
        StringBuilder s = new StringBuilder();
        s.append("---\n").append(metadata(title, manifest, cfg)).append("---\n\n");
        s.append("# ").append(title).append("\n\n");
        s.append("This card was written by `hearth card` from what Hearth recorded about the model and from the result"
                + " files it was given. Sections without evidence say so; nothing here is guessed.\n\n");

        s.append("## Model details\n\n");
        JsonNode tabular = lin.tabularTraining();
        boolean text = "text".equals(cfg.path("task").asText());
        String arch = text
                ? "text classifier: a language model (`lm/`) fine-tuned with a linear head on its last token, predicting '"
                        + cfg.path("label").asText() + "' among " + cfg.path("classes") + " from the text in '"
                        + cfg.path("text").asText() + "' (first " + cfg.path("max_tokens").asInt() + " tokens)"
                : tabular != null
                ? "tabular " + cfg.path("architecture").path("kind").asText() + " classifier, hidden layers "
                        + cfg.path("architecture").path("hidden") + ", " + cfg.path("architecture").path("features").asInt()
                        + " encoded features, predicting '" + cfg.path("label").asText() + "' among " + cfg.path("classes")
                : cfg.path("architectures").path(0).asText(cfg.path("model_type").asText("unknown"));
        s.append("- Architecture: ").append(arch);
        if (tabular != null && !text) {
            List<String> inputs = new ArrayList<>();
            JsonNode encoder = Lineage.readJson(model.resolve("encoder.json"));
            if (encoder != null) {
                encoder.path("columns").forEach(c -> inputs.add(c.path("name").asText() + " ("
                        + c.path("kind").asText().toLowerCase(Locale.ROOT) + ")"));
            }
            s.append("\n- Input columns: ").append(inputs.isEmpty() ? "not recorded" : String.join(", ", inputs));
        }
        if (cfg.has("num_hidden_layers")) {
            s.append(String.format(Locale.ROOT, " — %d layers, width %d, %d attention heads (%d key/value), feed-forward %d,"
                            + " context %d tokens, vocabulary %,d", cfg.path("num_hidden_layers").asInt(),
                    cfg.path("hidden_size").asInt(cfg.path("n_embd").asInt()), cfg.path("num_attention_heads").asInt(),
                    cfg.path("num_key_value_heads").asInt(cfg.path("num_attention_heads").asInt()),
                    cfg.path("intermediate_size").asInt(), cfg.path("max_position_embeddings").asInt(),
                    cfg.path("vocab_size").asInt()));
        }
        s.append("\n");
        if (run != null && run.has("parameters")) {
            s.append(String.format(Locale.ROOT, "- Parameters: %,d%n", run.get("parameters").asLong()));
        }
        if (cfg.path("quantization").isObject()) {
            JsonNode q = cfg.get("quantization");
            s.append("- Quantization: ").append(q.path("format").asText()).append(" (weights quantized after training by"
                    + " `hearth quantize`; ").append(q.path("tensors").size()).append(" tensors)\n");
        }
        s.append("- Files: ");
        List<String> files = new ArrayList<>();
        for (JsonNode f : lineageJson.path("model").path("files")) {
            files.add(String.format(Locale.ROOT, "`%s` (%,d bytes, SHA-256 `%s…`)", f.get("name").asText(),
                    f.get("bytes").asLong(), f.get("sha256").asText().substring(0, 16)));
        }
        s.append(String.join(", ", files)).append("; every hash in full in `lineage.json`.\n");
        s.append("- License: ").append(license != null ? license : "not stated (give `--license`)").append("\n");
        if (run != null) {
            s.append("- Trained by Hearth ").append(run.path("hearth_version").asText("?")).append(" on Java ")
                    .append(run.path("java").asText("?")).append(", run `").append(run.path("id").asText("?"))
                    .append("`, finished ").append(run.path("updated").asText("?")).append(".\n");
        }
        JsonNode parent = lineageJson.path("parent");
        s.append("- Parent model: ").append(parent.isNull() ? "none (trained from scratch)" : parent.path("model").asText())
                .append("\n");
        JsonNode derived = lineageJson.path("derived");
        if (derived.isObject()) {
            s.append("- ").append(derived.path("how").asText().equals("quantized")
                    ? "Quantized to " + derived.path("format").asText()
                    : "Pruned (" + derived.path("method").asText() + (derived.has("sparsity")
                            ? String.format(Locale.ROOT, ", sparsity %.2f", derived.get("sparsity").asDouble()) : "")
                            + (derived.has("finetune_steps") ? ", then fine-tuned " + derived.get("finetune_steps").asInt()
                            + " steps on " + derived.path("finetune_data").asText() : "") + ")")
                    .append(" from ").append(derived.path("from").asText());
            if (derived.hasNonNull("from_sha256")) {
                s.append(" (weights SHA-256 `").append(derived.get("from_sha256").asText(), 0,
                        Math.min(16, derived.get("from_sha256").asText().length())).append("…`)");
            }
            s.append(derived.has("training_record") ? "; the training record below is "
                    + derived.get("training_record").asText() : "; that folder is gone, and with it the training record")
                    .append(".\n");
        }
        JsonNode teacher = lineageJson.path("teacher");
        if (teacher.isObject()) {
            s.append("- Distilled from the teacher ").append(teacher.path("model").asText()).append(" (temperature ")
                    .append(teacher.path("temperature").asText()).append(", soft-target weight alpha ")
                    .append(teacher.path("alpha").asText())
                    .append(teacher.path("init_from_teacher").asBoolean() ? ", started from the teacher's layers" : "")
                    .append(").\n");
        }
        s.append("\n");

        s.append("## Intended use\n\n");
        if (intendedUse != null) {
            s.append(intendedUse).append("\n\n");
        } else {
            s.append("Not stated. The owner should say what the model is for (`--intended-use`).\n\n");
            without.add("intended use");
        }
        s.append("### Out of scope\n\n");
        if (outOfScope != null) {
            s.append(outOfScope).append("\n\n");
        } else {
            s.append("Not stated (`--out-of-scope`). Until it is, treat every use not named above as out of scope.\n\n");
            without.add("out-of-scope use");
        }

        s.append("## Factors\n\n");
        List<Evidence> groups = of(Evidence.Kind.FAIRNESS, Evidence.Kind.CROWS_PAIRS, Evidence.Kind.PROBES);
        if (groups.isEmpty()) {
            s.append("No group factors were evaluated. `hearth fairness report` (classifiers) and `hearth bias crows-pairs`"
                    + " / `hearth bias probes` (language models) give them.\n\n");
            without.add("factors");
        } else {
            for (Evidence e : groups) {
                switch (e.kind()) {
                    case FAIRNESS -> s.append("- Sensitive features: ").append(texts(e.json().path("sensitive")))
                            .append(" (`").append(e.file().getFileName()).append("`)\n");
                    case CROWS_PAIRS -> s.append("- CrowS-Pairs bias types: ").append(fieldNames(e.json().path("by_type")))
                            .append("\n");
                    default -> {
                        for (JsonNode set : e.json().path("sets")) {
                            s.append("- Template probes `").append(set.path("name").asText()).append("`: ")
                                    .append(set.path("groups").path(0).asText()).append(" vs ")
                                    .append(set.path("groups").path(1).asText()).append(" over ")
                                    .append(set.path("byFiller").size()).append(" fillers\n");
                        }
                    }
                }
            }
            s.append("\n");
        }

        s.append("## Metrics\n\n");
        List<Evidence> quality = of(Evidence.Kind.PERPLEXITY, Evidence.Kind.HELD_OUT, Evidence.Kind.CLASSIFICATION);
        if (quality.isEmpty() && (run == null || !run.has("best_val_loss"))) {
            s.append("No evaluation was given. `hearth eval ppl --model DIR --data FILE --json > eval.json` (language"
                    + " models) or `hearth eval classify` (classifiers), then `hearth card --evidence eval.json`.\n\n");
            without.add("metrics");
        } else {
            s.append("| metric | value | data | source |\n| --- | --- | --- | --- |\n");
            if (run != null && run.has("best_val_loss")) {
                s.append(String.format(Locale.ROOT, "| validation loss (nats/token) | %.4f | the dataset's val split | run.json |%n",
                        run.get("best_val_loss").asDouble()));
            }
            for (Evidence e : quality) {
                metricRows(e, s);
            }
            s.append("\n");
        }

        s.append("## Evaluation data\n\n");
        if (quality.isEmpty()) {
            s.append("Only the training dataset's own validation split (below), if any.\n\n");
        } else {
            for (Evidence e : quality) {
                s.append("- `").append(e.file()).append("`");
                if (e.json().has("data")) {
                    s.append(": ").append(e.json().get("data").asText());
                }
                s.append("\n");
            }
            s.append("\n");
        }

        s.append("## Training data\n\n");
        if (tabular != null) {
            JsonNode split = tabular.path("split");
            s.append(String.format(Locale.ROOT, "- `%s`: %,d rows (%,d dropped), split with seed %s into train %,d, validation"
                            + " %,d and test %,d rows (copies in the model's `data/` folder)%n", tabular.path("data").asText(),
                    tabular.path("rows").asLong(), tabular.path("dropped_rows").asLong(), split.path("seed").asText(),
                    split.path("train").asLong(), split.path("validation").asLong(), split.path("test").asLong()));
            JsonNode input = lineageJson.path("data").path("inputs").path(0);
            if (input.has("sha256")) {
                s.append("- SHA-256 `").append(input.get("sha256").asText()).append("` (").append(input.path("hashed").asText())
                        .append(")\n");
            }
            for (JsonNode sp : lineageJson.path("data").path("splits")) {
                s.append("- ").append(sp.path("split").asText()).append(" split `").append(sp.path("file").asText())
                        .append("`: SHA-256 `").append(sp.path("sha256").asText()).append("`\n");
            }
            if (!text) {
                s.append("- Missing values: ").append(tabular.path("missing_values").isEmpty() ? "none"
                        : tabular.path("missing_values").toString()).append("\n");
            }
            s.append("\n");
            s.append("### Training procedure\n\n");
            if (text) {
                s.append(String.format(Locale.ROOT, "- Fine-tuned from `%s` with AdamW, batch %s, learning rate %s; %s epochs run"
                                + " (at most %s), best epoch %s, validation loss %.4f; test accuracy %.4f%n%n",
                        tabular.path("base_model").asText(), tabular.path("batch_size").asText(),
                        tabular.path("learning_rate").asText(), tabular.path("epochs_run").asText(),
                        tabular.path("max_epochs").asText(), tabular.path("best_epoch").asText(),
                        tabular.path("best_validation_loss").asDouble(), tabular.path("test_accuracy").asDouble()));
            } else {
            s.append(String.format(Locale.ROOT, "- Adam, batch %s, learning rate %s, weight decay %s; stopped after %s epochs"
                            + " (patience %s), best epoch %s, validation loss %.4f%n", tabular.path("batch_size").asText(),
                    tabular.path("learning_rate").asText(), tabular.path("weight_decay").asText(),
                    tabular.path("epochs_run").asText(), tabular.path("patience").asText(), tabular.path("best_epoch").asText(),
                    tabular.path("best_validation_loss").asDouble()));
            s.append("- Reweighing: ").append(tabular.path("reweigh").isEmpty() ? "none" : tabular.path("reweigh").toString())
                    .append("\n- Accuracy at training: ").append(tabular.path("accuracy").toString()).append("\n\n");
            }
        } else if (manifest == null) {
            s.append("Not recorded: no dataset manifest was found for this model.\n\n");
            without.add("training data");
        } else {
            s.append("- Dataset `").append(manifest.path("name").asText()).append("`, made ")
                    .append(manifest.path("created").asText()).append(" by Hearth ")
                    .append(manifest.path("hearth_version").asText()).append("\n");
            for (JsonNode in : manifest.path("inputs")) {
                s.append(String.format(Locale.ROOT, "- Input `%s`: %,d documents, SHA-256 `%s`%n", in.path("key").asText(),
                        in.path("documents").asLong(), in.path("sha256").asText()));
            }
            JsonNode splits = manifest.path("splits");
            for (Iterator<Map.Entry<String, JsonNode>> it = splits.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> sp = it.next();
                s.append(String.format(Locale.ROOT, "- Split %s: %,d documents, %,d tokens%n", sp.getKey(),
                        sp.getValue().path("documents").asLong(), sp.getValue().path("tokens").asLong()));
            }
            JsonNode tok = manifest.path("tokenizer");
            s.append("- Tokenizer: ").append(tok.path("kind").asText()).append(", ").append(tok.path("vocab_size").asInt())
                    .append(" tokens\n");
            JsonNode scrub = manifest.path("scrub");
            if (scrub.isObject()) {
                s.append("- Personal data was scrubbed before training (`hearth data prepare --scrub`): found ");
                List<String> found = new ArrayList<>();
                scrub.path("found").fields().forEachRemaining(f -> found.add(f.getKey() + " " + f.getValue().asLong()));
                s.append(found.isEmpty() ? "nothing" : String.join(", ", found));
                s.append("; policy ").append(scrub.path("policy_file").isNull() ? "the default policy"
                        : "`" + scrub.path("policy_file").asText() + "` (SHA-256 `" + scrub.path("policy_sha256").asText() + "`)");
                for (JsonNode o : scrub.path("originals")) {
                    s.append("; original `").append(o.path("path").asText()).append("` SHA-256 `")
                            .append(o.path("sha256").asText()).append("`");
                }
                s.append(".\n");
            } else {
                s.append("- Personal data: the inputs were **not** scrubbed by Hearth (no scrub record in the manifest).\n");
            }
            s.append("\n");
        }
        if (tabular == null && runCfg == null) {
            s.append("### Training procedure\n\n");
            s.append("Not recorded.\n\n");
            without.add("training procedure");
        } else if (tabular == null) {
            s.append("### Training procedure\n\n");
            JsonNode state = lin.trainerState();
            s.append(String.format(Locale.ROOT, "- %s steps of batch %s, peak learning rate %s (%s schedule), weight decay %s,"
                            + " seed %s%n", state != null ? state.path("step").asText() : runCfg.path("max_steps").asText(),
                    runCfg.path("batch_size").asText(), runCfg.path("lr").asText(), runCfg.path("schedule").asText(),
                    runCfg.path("weight_decay").asText(), runCfg.path("seed").asText()));
            if (state != null && state.has("tokens_seen")) {
                s.append(String.format(Locale.ROOT, "- %,d tokens seen in %.0f s%n", state.get("tokens_seen").asLong(),
                        state.path("elapsed_seconds").asDouble()));
            }
            s.append("\n");
        }
        JsonNode privacy = lin.privacy();
        if (tabular == null && privacy != null) {
            s.append(String.format(Locale.ROOT, "- **Differential privacy** (DP-SGD): ε = %.3f at δ = %s (%s accountant) after"
                            + " %s steps; noise multiplier %s, clipping norm %s, sample rate %s.%n%n",
                    privacy.path("epsilon").asDouble(), privacy.path("delta").asText(), privacy.path("accountant").asText(),
                    privacy.path("steps").asText(), privacy.path("noise_multiplier").asText(),
                    privacy.path("clip_norm").asText(), privacy.path("sample_rate").asText()));
        } else if (tabular == null && lineageJson.path("derived").path("source_was_private").asBoolean()) {
            s.append("- Differential privacy: the source model was trained with DP-SGD, but the fine-tune after"
                    + " pruning was not private, so no guarantee is claimed for this model.\n\n");
        } else if (tabular == null) {
            s.append("- Differential privacy: not used (the model may memorise rare training text).\n\n");
        }

        s.append("## Quantitative analyses\n\n");
        if (groups.isEmpty()) {
            s.append("No disaggregated results were given.\n\n");
            without.add("quantitative analyses");
        } else {
            for (Evidence e : groups) {
                groupAnalysis(e, s);
            }
        }
        List<Evidence> explanations = of(Evidence.Kind.EXPLANATION);
        if (!explanations.isEmpty()) {
            s.append("### Explanations\n\n");
            for (Evidence e : explanations) {
                JsonNode j = e.json();
                s.append("- `").append(e.file()).append("`: why `").append(j.path("targetName").asText()).append("` for ")
                        .append(j.path("subject").asText().replace("\n", "\\n")).append(" — methods ");
                List<String> ms = new ArrayList<>();
                j.path("attributions").forEach(a -> ms.add(a.path("method").asText()));
                s.append(String.join(", ", ms)).append("\n");
            }
            s.append("\n");
        }

        s.append("## Ethical considerations\n\n");
        List<String> notes = new ArrayList<>();
        if (manifest != null && !manifest.path("scrub").isObject()) {
            notes.add("The training data was not scrubbed of personal data by Hearth; the model may reproduce it.");
        }
        if (lin.privacy() == null) {
            notes.add("Trained without differential privacy: no formal bound on what it reveals about any one record.");
        }
        if (groups.isEmpty()) {
            notes.add("Its behaviour across groups of people has not been measured.");
        }
        if (notes.isEmpty()) {
            s.append("The evidence above is what is known; the owner should add what it does not cover.\n\n");
        } else {
            notes.forEach(n -> s.append("- ").append(n).append("\n"));
            s.append("\n");
        }

        s.append("## Caveats and recommendations\n\n");
        s.append("- The numbers above hold for the data named with them; measure again on data like yours before use.\n");
        if (!without.isEmpty()) {
            s.append("- Sections without evidence: ").append(String.join(", ", without)).append(".\n");
        }
        return s.toString();
    }

    private String metadata(String title, JsonNode manifest, JsonNode cfg) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
        ObjectNode m = yaml.createObjectNode();
        if (!languages.isEmpty()) {
            ArrayNode l = m.putArray("language");
            languages.forEach(l::add);
        }
        m.put("license", license != null ? license : "other");
        m.put("library_name", "hearth");
        ArrayNode tags = m.putArray("tags");
        tags.add("hearth");
        if (manifest != null) {
            m.putArray("datasets").add(manifest.path("name").asText());
        } else if (cfg.path("training").path("data").isTextual()) {
            String file = Path.of(cfg.path("training").path("data").asText()).getFileName().toString();
            m.putArray("datasets").add(file.replaceFirst("\\.[^.]*$", ""));
        }
        List<Evidence> quality = of(Evidence.Kind.PERPLEXITY, Evidence.Kind.HELD_OUT, Evidence.Kind.CLASSIFICATION);
        if (!quality.isEmpty()) {
            ArrayNode metrics = m.putArray("metrics");
            ArrayNode results = m.putArray("model-index").addObject().put("name", title).putArray("results");
            List<String> seen = new ArrayList<>();
            Map<String, ArrayNode> byDataset = new java.util.LinkedHashMap<>();
            for (Evidence e : quality) {
                for (Object[] r : metricValues(e)) {
                    String type = (String) r[0];
                    if (!seen.contains(type)) {
                        seen.add(type);
                        metrics.add(type);
                    }
                    ArrayNode list = byDataset.computeIfAbsent(e.kind() + "/" + r[2], k -> {
                        ObjectNode res = results.addObject();
                        res.putObject("task").put("type", e.kind() == Evidence.Kind.CLASSIFICATION ? "tabular-classification"
                                : "text-generation");
                        res.putObject("dataset").put("name", (String) r[2]).put("type", (String) r[2]);
                        return res.putArray("metrics");
                    });
                    list.addObject().put("type", type).put("value", (Double) r[1]).put("name", (String) r[3]);
                }
            }
        }
        try {
            return yaml.writeValueAsString(m);
        } catch (IOException e) {
            throw new CardException("cannot write the metadata: " + e.getMessage(), e);
        }
    }

    /** (type, value, dataset, name) rows of a quality result. */
    private static List<Object[]> metricValues(Evidence e) {
        List<Object[]> rows = new ArrayList<>();
        JsonNode j = e.json();
        switch (e.kind()) {
            case PERPLEXITY -> {
                String data = Path.of(j.path("data").asText("data")).getFileName().toString();
                rows.add(new Object[] {"perplexity", j.get("perplexity").asDouble(), data, "perplexity"});
                rows.add(new Object[] {"bits_per_byte", j.get("bits_per_byte").asDouble(), data, "bits per byte"});
            }
            case HELD_OUT -> j.get("held_out").fields().forEachRemaining(f -> {
                rows.add(new Object[] {"perplexity", f.getValue().path("perplexity").asDouble(), "held-out " + f.getKey(),
                    "perplexity (" + f.getKey() + ")"});
                rows.add(new Object[] {"bits_per_byte", f.getValue().path("bits_per_byte").asDouble(),
                    "held-out " + f.getKey(), "bits per byte (" + f.getKey() + ")"});
            });
            default -> {
                JsonNode sets = j.path("sets");
                if (sets.isObject()) {
                    sets.fields().forEachRemaining(f -> classificationRows(f.getKey(), f.getValue(), rows));
                } else {
                    classificationRows(j.path("data").asText("data"), j, rows);
                }
            }
        }
        return rows;
    }

    private static void classificationRows(String data, JsonNode m, List<Object[]> rows) {
        for (String k : List.of("accuracy", "f1_macro", "roc_auc", "ece")) {
            JsonNode v = m.path(k);
            if (v.isNumber()) {
                rows.add(new Object[] {k, v.asDouble(), data, k.replace('_', ' ')});
            } else if (v.path("value").isNumber()) {
                rows.add(new Object[] {k, v.path("value").asDouble(), data, k.replace('_', ' ')});
            }
        }
    }

    private static void metricRows(Evidence e, StringBuilder s) {
        for (Object[] r : metricValues(e)) {
            s.append(String.format(Locale.ROOT, "| %s | %.4f | %s | `%s` |%n", r[3], (Double) r[1], r[2], e.file().getFileName()));
        }
    }

    private static void groupAnalysis(Evidence e, StringBuilder s) {
        JsonNode j = e.json();
        switch (e.kind()) {
            case FAIRNESS -> {
                s.append("### Group fairness (`").append(e.file().getFileName()).append("`)\n\n| metric | value | interval |\n"
                        + "| --- | --- | --- |\n");
                for (String k : List.of("demographic_parity_difference", "demographic_parity_ratio",
                        "equalized_odds_difference", "equalized_odds_ratio", "disparate_impact")) {
                    JsonNode ci = j.path("intervals").path(k);
                    s.append(String.format(Locale.ROOT, "| %s | %.4f | %s |%n", k, j.path(k).asDouble(Double.NaN),
                            ci.isArray() ? String.format(Locale.ROOT, "[%.4f, %.4f]", ci.get(0).asDouble(), ci.get(1).asDouble())
                                    : ""));
                }
                s.append("\n| group | count | selection rate | accuracy | true positive rate | false positive rate |\n"
                        + "| --- | --- | --- | --- | --- | --- |\n");
                j.path("groups").fields().forEachRemaining(feature -> feature.getValue().fields().forEachRemaining(g ->
                        s.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.4f | %.4f |%n", g.getKey(),
                                g.getValue().path("count").asLong(), g.getValue().path("selection_rate").asDouble(),
                                g.getValue().path("accuracy").asDouble(), g.getValue().path("true_positive_rate").asDouble(),
                                g.getValue().path("false_positive_rate").asDouble()))));
                s.append("\n");
            }
            case CROWS_PAIRS -> {
                JsonNode o = j.path("overall");
                s.append(String.format(Locale.ROOT, "### CrowS-Pairs (`%s`)%n%nThe more stereotyping sentence is preferred in"
                                + " %.1f%% of %d pairs (95%% interval %.1f–%.1f%%); 50%% is unbiased.%n%n", e.file().getFileName(),
                        100 * o.path("share").asDouble(), o.path("pairs").asInt(), 100 * o.path("low").asDouble(),
                        100 * o.path("high").asDouble()));
                s.append("| bias type | pairs | share |\n| --- | --- | --- |\n");
                j.path("by_type").fields().forEachRemaining(f -> s.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% |%n",
                        f.getKey(), f.getValue().path("pairs").asInt(), 100 * f.getValue().path("share").asDouble())));
                s.append("\n");
            }
            default -> {
                s.append("### Template probes (`").append(e.file().getFileName()).append("`)\n\n"
                        + "| set | probes | mean gap (nats) | A preferred | spread over fillers |\n| --- | --- | --- | --- | --- |\n");
                for (JsonNode set : j.path("sets")) {
                    s.append(String.format(Locale.ROOT, "| %s (%s − %s) | %d | %+.3f ± %.3f | %.1f%% | %.3f |%n",
                            set.path("name").asText(), set.path("groups").path(0).asText(), set.path("groups").path(1).asText(),
                            set.path("probes").asInt(), set.path("meanGap").asDouble(), set.path("standardError").asDouble(),
                            100 * set.path("shareA").asDouble(), set.path("fillerSpread").asDouble()));
                }
                s.append("\n");
            }
        }
    }

    private List<Evidence> of(Evidence.Kind... kinds) {
        List<Evidence.Kind> k = List.of(kinds);
        return evidence.stream().filter(e -> k.contains(e.kind())).toList();
    }

    private static String texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return String.join(", ", out);
    }

    private static String fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return String.join(", ", out);
    }

    private static void atomic(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
