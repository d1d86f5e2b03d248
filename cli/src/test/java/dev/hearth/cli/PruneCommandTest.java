package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.TokenDataset;
import dev.hearth.lab.data.TokenizerChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth prune}: the printed report, prune.json, the pruned folder in generate, and bad input. */
class PruneCommandTest {
    @TempDir
    Path tmp;

    private Path data;
    private Path model;

    @BeforeEach
    void prepare() throws Exception {
        Path corpus = tmp.resolve("corpus.txt");
        Files.writeString(corpus, "the quick brown fox jumps over the lazy dog. the dog sleeps in the sun. ".repeat(80));
        data = tmp.resolve("data");
        new DatasetPreparation(DatasetPreparation.Config.of(List.of(corpus), data, "tiny")
                .withTokenizer(new TokenizerChoice.TrainChars()).withSplit(SplitMode.TAIL, 0.1))
                .run(DatasetPreparation.Listener.NONE);
        Tokenizer tok;
        try (TokenDataset d = TokenDataset.open(data)) {
            tok = d.tokenizer();
        }
        model = tmp.resolve("model");
        ModelFolder.save(model, new Llama(new Llama.Config(tok.vocabSize(), 32, 2, 4, 4, 32, 64, 10000f, 1e-6f, false,
                false, false, 0f), new Rng(1)), tok, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 8),
                Map.of());
    }

    @Test
    void prunesHeadsFineTunesReportsAndTheFolderGenerates() throws Exception {
        Path out = tmp.resolve("pruned");
        CliRun r = CliRun.of("prune", "--model", model.toString(), "--method", "heads", "--sparsity", "0.5",
                "--calibration", data.toString(), "--calibration-sequences", "4", "--data", data.toString(),
                "--finetune-steps", "2", "--finetune-batch", "2", "--eval-tokens", "128", "--latency-runs", "1",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pruned " + model + " with heads").contains("layers.1.attn.o_proj.weight")
                .contains("parameters:").contains("perplexity:").contains("after the fine-tune")
                .contains("fine-tune:   2 steps").contains("decode:").contains("tokens/s");
        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("prune.json")));
        assertThat(json.get("shape_after").get("heads").asInt()).isEqualTo(2);
        assertThat(json.get("parameters_after").asLong()).isLessThan(json.get("parameters_before").asLong());
        assertThat(json.get("perplexity").get("after_fine_tune").asDouble()).isPositive();
        CliRun g = CliRun.of("generate", "--model", out.toString(), "--prompt", "the quick", "--max-tokens", "5");
        assertThat(g.code()).as(g.err()).isZero();
    }

    @Test
    void unstructuredPruningSaysTheFileDoesNotShrink() {
        CliRun r = CliRun.of("prune", "--model", model.toString(), "--method", "magnitude", "--sparsity", "0.5",
                "--scope", "global", "--latency-runs", "0", "--out", tmp.resolve("m").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("scope global").contains("sparsity:    0.5000")
                .contains("zeros in dense float32 take the same room").contains("perplexity:  not measured");
    }

    @Test
    void badInputGetsAClearError() {
        CliRun range = CliRun.of("prune", "--model", model.toString(), "--method", "magnitude", "--sparsity", "1",
                "--out", tmp.resolve("a").toString());
        assertThat(range.code()).isEqualTo(1);
        assertThat(range.err()).contains("--sparsity 1.0 is outside [0, 1)");
        CliRun method = CliRun.of("prune", "--model", model.toString(), "--method", "random", "--sparsity", "0.5",
                "--out", tmp.resolve("b").toString());
        assertThat(method.code()).isEqualTo(1);
        assertThat(method.err()).contains("--method random is not a pruning method").contains("magnitude, wanda, 2:4");
        CliRun missing = CliRun.of("prune", "--model", model.toString(), "--method", "wanda", "--out",
                tmp.resolve("c").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("needs --sparsity");
        CliRun notModel = CliRun.of("prune", "--model", data.toString(), "--method", "magnitude", "--sparsity", "0.5",
                "--out", tmp.resolve("d").toString());
        assertThat(notModel.code()).isEqualTo(1);
        assertThat(notModel.err()).contains("not a model folder");
    }
}
