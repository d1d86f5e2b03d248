package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.models.CharVocabulary;
import dev.hearth.engine.models.TokenTagger;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link TokenTagger} on disk: {@code config.json} ({@code "model_type": "token_tagger"}, the
 * sizes, the tag names and how it was trained), {@code vocab.json} (the code points, in id order
 * from 2) and {@code model.safetensors}. Loading checks that the three belong together.
 */
public final class TaggerFolder {
    public static final String MODEL_TYPE = "token_tagger";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TaggerFolder() {}

    /** A loaded tagger: the model (in evaluation mode), its vocabulary, its tag names and the training record. */
    public record Loaded(TokenTagger model, CharVocabulary vocabulary, List<String> tags, JsonNode training) {}

    public static void save(Path dir, TokenTagger model, CharVocabulary vocabulary, List<String> tags,
                            Map<String, ?> training) {
        TokenTagger.Config c = model.config();
        if (vocabulary.size() != c.vocabSize() || tags.size() != c.tags()) {
            throw new HearthException("the vocabulary (" + vocabulary.size() + " rows) or the tag names (" + tags.size()
                    + ") do not fit the model (" + c.vocabSize() + " rows, " + c.tags() + " tags)");
        }
        try {
            Files.createDirectories(dir);
            ObjectNode config = JSON.createObjectNode();
            config.put("model_type", MODEL_TYPE);
            config.put("vocab_size", c.vocabSize());
            config.put("embed_dim", c.embedDim());
            config.put("hidden_size", c.hidden());
            ArrayNode t = config.putArray("tags");
            tags.forEach(t::add);
            config.set("training", JSON.valueToTree(training));
            JSON.writeValue(dir.resolve("config.json").toFile(), config);
            ObjectNode vocab = JSON.createObjectNode();
            vocab.put("reserved", "id 0 pads, id 1 is unknown; code_points[i] has id i + 2");
            ArrayNode cps = vocab.putArray("code_points");
            for (int cp : vocabulary.codePoints()) {
                cps.add(cp);
            }
            JSON.writeValue(dir.resolve("vocab.json").toFile(), vocab);
            SafeTensors.write(dir.resolve("model.safetensors"), model.parameters(), Map.of("format", "pt"));
        } catch (IOException e) {
            throw new CheckpointException(dir, "cannot save the tagger: " + e.getMessage(), e);
        }
    }

    public static Loaded load(Path dir) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir, "no config.json: this is not a model folder; train a tagger with"
                    + " 'hearth pii train-ner --out DIR'");
        }
        JsonNode config = readJson(configFile);
        String type = config.path("model_type").asText("");
        if (!MODEL_TYPE.equals(type)) {
            throw new CheckpointException(configFile, "model_type is \"" + type + "\", not \"" + MODEL_TYPE + "\": this"
                    + " folder holds no token tagger; train one with 'hearth pii train-ner --out DIR'");
        }
        List<String> tags = new ArrayList<>();
        config.path("tags").forEach(n -> tags.add(n.asText()));
        TokenTagger.Config c;
        try {
            c = new TokenTagger.Config(config.path("vocab_size").asInt(-1), config.path("embed_dim").asInt(-1),
                    config.path("hidden_size").asInt(-1), tags.size());
        } catch (HearthException e) {
            throw new CheckpointException(configFile, e.getMessage(), e);
        }
        Path vocabFile = dir.resolve("vocab.json");
        if (!Files.isRegularFile(vocabFile)) {
            throw new CheckpointException(dir, "no vocab.json next to config.json; the tagger cannot read text without"
                    + " its vocabulary (copy the whole folder train-ner wrote)");
        }
        JsonNode cpNode = readJson(vocabFile).path("code_points");
        if (!cpNode.isArray()) {
            throw new CheckpointException(vocabFile, "has no \"code_points\" list");
        }
        int[] cps = new int[cpNode.size()];
        for (int i = 0; i < cps.length; i++) {
            if (!cpNode.get(i).isInt()) {
                throw new CheckpointException(vocabFile, "code_points[" + i + "] is not an integer");
            }
            cps[i] = cpNode.get(i).asInt();
        }
        CharVocabulary vocab;
        try {
            vocab = new CharVocabulary(cps);
        } catch (HearthException e) {
            throw new CheckpointException(vocabFile, e.getMessage(), e);
        }
        if (vocab.size() != c.vocabSize()) {
            throw new CheckpointException(vocabFile, "holds " + cps.length + " code points (" + vocab.size()
                    + " ids) but config.json says vocab_size " + c.vocabSize() + "; the files come from different"
                    + " trainings");
        }
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException(dir, "no model.safetensors: the tagger's weights are missing");
        }
        TokenTagger model = new TokenTagger(c, new Rng(0));
        Map<String, Tensor> state = SafeTensors.read(weights);
        try {
            model.loadState(state, true);
        } catch (HearthException e) {
            throw new CheckpointException(weights, "does not fit config.json and vocab.json: " + e.getMessage(), e);
        }
        model.eval();
        return new Loaded(model, vocab, List.copyOf(tags), config.path("training"));
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new CheckpointException(file, "is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CheckpointException(file, "is not valid JSON: " + e.getMessage(), e);
        }
    }
}
