package dev.hearth.lab.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {

    @TempDir
    Path tmp;

    /** A run folder as training leaves it: run.json, config.json naming a dataset, checkpoints/best. */
    private Path trainedModel(boolean privately) throws Exception {
        Path dataset = Files.createDirectories(tmp.resolve("datasets/notes"));
        Files.writeString(dataset.resolve("manifest.json"), """
                {"name":"notes","created":"2026-11-01T00:00:00Z","hearth_version":"test",
                 "tokenizer":{"kind":"char","vocab_size":20},
                 "inputs":[{"key":"notes.txt","documents":3,"sha256":"abc123"}],
                 "splits":{"train":{"documents":2,"tokens":100},"val":{"documents":1,"tokens":10}},
                 "scrub":{"found":{"PERSON":4},"policy_file":null,"originals":[{"path":"raw/notes.txt","sha256":"feed01"}]}}
                """);
        Path run = Files.createDirectories(tmp.resolve("runs/r1"));
        Files.writeString(run.resolve("run.json"), """
                {"id":"r1","hearth_version":"test","java":"25","updated":"2026-11-02T00:00:00Z","parameters":1234,
                 "best_val_loss":1.5}
                """);
        Files.writeString(run.resolve("config.json"), new ObjectMapper().writeValueAsString(Map.of("data", dataset.toString(),
                "batch_size", 4, "lr", 0.001, "schedule", "cosine", "weight_decay", 0.1, "seed", 7, "max_steps", 10)));
        Path best = run.resolve("checkpoints/best");
        CharTokenizer tok = CharTokenizer.train("abc def");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 16, 1, 2, 2, 8, 16, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(1));
        ModelFolder.save(best, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        if (privately) {
            SafeTensors.write(best.resolve("model.safetensors"), m.parameters(), Map.of("dp_epsilon", "2.5",
                    "dp_delta", "1.0E-5", "dp_noise_multiplier", "1.1", "dp_clip_norm", "1.0", "dp_sample_rate", "0.01",
                    "dp_steps", "10", "dp_accountant", "rdp"));
        }
        return best;
    }

    @Test
    void aCardFromTheRecordsSaysWhatItKnowsAndWhatItDoesNot() throws Exception {
        Path model = trainedModel(true);
        Path ppl = tmp.resolve("eval.json");
        Files.writeString(ppl, "{\"data\":\"held-out.txt\",\"perplexity\":3.5,\"bits_per_byte\":0.6}");
        ModelCard.Written w = new ModelCard(model, "notes-lm", "apache-2.0", List.of("en"), null, null,
                List.of(Evidence.of(ppl))).write(model);
        String md = Files.readString(w.card());
        assertThat(md).startsWith("---\n");
        JsonNode meta = new ObjectMapper(new YAMLFactory()).readTree(md.substring(4, md.indexOf("\n---\n", 4)));
        assertThat(meta.get("license").asText()).isEqualTo("apache-2.0");
        assertThat(meta.at("/language/0").asText()).isEqualTo("en");
        assertThat(meta.at("/datasets/0").asText()).isEqualTo("notes");
        assertThat(meta.at("/model-index/0/results/0/metrics/0/value").asDouble()).isEqualTo(3.5);
        assertThat(md).contains("# notes-lm", "## Model details", "## Intended use", "## Factors", "## Metrics",
                "## Evaluation data", "## Training data", "## Quantitative analyses", "## Ethical considerations",
                "## Caveats and recommendations");
        assertThat(md).contains("Parameters: 1,234").contains("| perplexity | 3.5000 | held-out.txt | `eval.json` |")
                .contains("Input `notes.txt`: 3 documents, SHA-256 `abc123`").contains("found PERSON 4")
                .contains("ε = 2.500 at δ = 1.0E-5 (rdp accountant)");
        assertThat(md).contains("Not stated. The owner should say what the model is for")
                .contains("No group factors were evaluated");
        assertThat(w.withoutEvidence()).containsExactly("intended use", "out-of-scope use", "factors", "quantitative analyses");
        JsonNode lineage = new ObjectMapper().readTree(w.lineage().toFile());
        assertThat(lineage.at("/training/run/id").asText()).isEqualTo("r1");
        assertThat(lineage.at("/data/manifest/name").asText()).isEqualTo("notes");
        assertThat(lineage.at("/privacy/epsilon").asDouble()).isEqualTo(2.5);
        assertThat(lineage.at("/model/files")).extracting(f -> f.get("name").asText())
                .contains("config.json", "model.safetensors", "tokenizer.json").doesNotContain("MODEL_CARD.md", "lineage.json");
        assertThat(lineage.at("/model/files/0/sha256").asText()).hasSize(64);
    }

    @Test
    void aCopiedModelKeepsItsLineageAndAModelWithoutRecordsSaysSo() throws Exception {
        Path model = trainedModel(false);
        new ModelCard(model, null, null, List.of(), "Drafting replies.", "Medical advice.", List.of()).write(model);
        Path copy = tmp.resolve("models/notes/1");
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        String md = Files.readString(new ModelCard(copy, null, null, List.of(), null, null, List.of()).write(copy).card());
        assertThat(md).contains("Dataset `notes`").contains("Differential privacy: not used").contains("run `r1`");
        Path bare = tmp.resolve("bare");
        CharTokenizer tok = CharTokenizer.train("ab");
        ModelFolder.save(bare, new Llama(new Llama.Config(tok.vocabSize(), 8, 1, 2, 2, 8, 16, 10000f, 1e-6f, false, false,
                false, 0f), new Rng(1)), tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        ModelCard.Written w = new ModelCard(bare, null, null, List.of(), null, null, List.of()).write(bare);
        assertThat(Files.readString(w.card())).contains("Not recorded: no dataset manifest");
        assertThat(w.withoutEvidence()).contains("training data", "training procedure", "metrics");
    }

    @Test
    void aQuantizedOrPrunedModelNamesItsSourceAndTakesItsTrainingRecord() throws Exception {
        Path best = trainedModel(true);
        CharTokenizer tok = CharTokenizer.train("abc def");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 16, 1, 2, 2, 8, 16, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(2));
        Path quantized = tmp.resolve("q8");
        ModelFolder.save(quantized, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of("quantization", "q8_0",
                "quantized_from", best.toString(), "quantized_from_sha256", "0123456789abcdef0123"));
        ModelCard.Written q = new ModelCard(quantized, null, null, List.of(), null, null, List.of()).write(quantized);
        String md = Files.readString(q.card());
        assertThat(md).contains("Quantized to q8_0 from " + best).contains("`0123456789abcdef…`")
                .contains("the training record below is the source's").contains("run `r1`")
                .contains("ε = 2.500");                                  // quantizing is post-processing: DP holds
        JsonNode lq = new ObjectMapper().readTree(q.lineage().toFile());
        assertThat(lq.at("/parent/model").asText()).isEqualTo(best.toString());
        assertThat(lq.at("/derived/how").asText()).isEqualTo("quantized");
        assertThat(lq.at("/data/manifest/name").asText()).isEqualTo("notes");

        // pruned from the quantized copy's source, then fine-tuned: the record is followed, the DP guarantee is not
        Path pruned = tmp.resolve("pruned");
        ModelFolder.save(pruned, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of("pruning", "wanda",
                "pruning_sparsity", "0.5", "pruned_from", quantized.toString(), "pruning_finetune_steps", "30",
                "pruning_finetune_data", "/data/notes"));
        String pmd = Files.readString(new ModelCard(pruned, null, null, List.of(), null, null, List.of()).write(pruned).card());
        assertThat(pmd).contains("Pruned (wanda, sparsity 0.50, then fine-tuned 30 steps on /data/notes) from " + quantized)
                .contains("run `r1`").contains("the fine-tune after pruning was not private, so no guarantee is claimed");

        Path orphan = tmp.resolve("orphan");
        ModelFolder.save(orphan, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of("quantization", "q4_0",
                "quantized_from", tmp.resolve("gone").toString()));
        ModelCard.Written o = new ModelCard(orphan, null, null, List.of(), null, null, List.of()).write(orphan);
        assertThat(Files.readString(o.card())).contains("that folder is gone, and with it the training record");
    }

    @Test
    void badInputsAreNamed() throws Exception {
        assertThatThrownBy(() -> new ModelCard(tmp.resolve("none"), null, null, List.of(), null, null, List.of()).write(tmp))
                .hasMessageContaining("is not a folder");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> new ModelCard(tmp.resolve("empty"), null, null, List.of(), null, null, List.of())
                .write(tmp.resolve("empty"))).hasMessageContaining("not a model folder");
        assertThatThrownBy(() -> new ModelCard(tmp, null, "my license", List.of(), null, null, List.of()))
                .hasMessageContaining("SPDX");
        assertThatThrownBy(() -> new ModelCard(tmp, null, null, List.of("English"), null, null, List.of()))
                .hasMessageContaining("ISO 639");
        Path odd = tmp.resolve("odd.json");
        Files.writeString(odd, "{\"hello\":1}");
        assertThatThrownBy(() -> Evidence.of(odd)).hasMessageContaining("not a result Hearth knows");
    }
}
