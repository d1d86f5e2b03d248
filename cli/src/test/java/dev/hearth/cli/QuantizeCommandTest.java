package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth quantize}, and the quantized folder in generate, eval ppl and the registry. */
class QuantizeCommandTest {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. the dog sleeps in the sun.";

    @TempDir
    Path tmp;

    private Path modelDir;

    @BeforeEach
    void saveATinyModel() {
        ByteLevelBpeTokenizer tokenizer = BpeTrainer.train(List.of(TEXT), BpeTrainingConfig.gpt2(300)).tokenizer();
        Llama model = new Llama(new Llama.Config(tokenizer.vocabSize(), 64, 2, 2, 2, 64, 96, 10000f, 1e-6f, false,
                false, false, 0f), new Rng(1));
        modelDir = tmp.resolve("model");
        ModelFolder.save(modelDir, model, tokenizer, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 8),
                Map.of());
    }

    @Test
    void writesAFolderThatGeneratesScoresAndRegisters() throws Exception {
        Path out = tmp.resolve("q4");
        CliRun r = CliRun.of("quantize", "--model", modelDir.toString(), "--format", "q4_0", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("quantized 16 matrices").contains("to q4_0").contains("smaller");
        assertThat(r.out()).doesNotContain("kept float32");
        CliRun g = CliRun.of("generate", "--model", out.toString(), "--prompt", "the quick");
        assertThat(g.code()).as(g.err()).isZero();
        Path text = tmp.resolve("held-out.txt");
        Files.writeString(text, TEXT);
        CliRun fp = CliRun.of("eval", "ppl", "--model", modelDir.toString(), "--data", text.toString(), "--json");
        CliRun q = CliRun.of("eval", "ppl", "--model", out.toString(), "--data", text.toString(), "--json");
        assertThat(q.code()).as(q.err()).isZero();
        double pFp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fp.out()).get("perplexity").asDouble();
        double pQ = new com.fasterxml.jackson.databind.ObjectMapper().readTree(q.out()).get("perplexity").asDouble();
        assertThat(pQ).isCloseTo(pFp, org.assertj.core.data.Percentage.withPercentage(5));
        CliRun reg = CliRun.of("--home", tmp.resolve("home").toString(), "models", "register", out.toString(),
                "--name", "tiny-q4");
        assertThat(reg.code()).as(reg.err()).isZero();
    }

    @Test
    void q4_kQuantizesWhatFitsSuperBlocksAndNamesTheRest() throws Exception {
        ByteLevelBpeTokenizer tokenizer = BpeTrainer.train(List.of(TEXT), BpeTrainingConfig.gpt2(300)).tokenizer();
        Llama model = new Llama(new Llama.Config(tokenizer.vocabSize(), 64, 1, 2, 2, 256, 320, 10000f, 1e-6f, false,
                false, false, 0f), new Rng(1));
        Path wide = tmp.resolve("wide");
        ModelFolder.save(wide, model, tokenizer, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 8),
                Map.of());
        Path out = tmp.resolve("wide-q4_k");
        CliRun r = CliRun.of("quantize", "--model", wide.toString(), "--format", "q4_k", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("quantized 8 matrices").contains("to q4_k")
                .contains("kept float32: layers.0.mlp.down_proj.weight (its input width 320 is not a multiple of 256"
                        + " (q4_k's super-block))");
        CliRun g = CliRun.of("generate", "--model", out.toString(), "--prompt", "the quick", "--max-tokens", "4");
        assertThat(g.code()).as(g.err()).isZero();
        CliRun x = CliRun.of("export", "gguf", "--model", out.toString(), "--out", tmp.resolve("k.gguf").toString());
        assertThat(x.code()).as(x.err()).isZero();
        assertThat(x.out()).contains("as q4_k");
    }

    @Test
    void badInputGetsAClearError() {
        CliRun unknown = CliRun.of("quantize", "--model", modelDir.toString(), "--format", "q2_k", "--out",
                tmp.resolve("x").toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown quantization format 'q2_k'").contains("q8_0, q4_0, int8");
        CliRun notModel = CliRun.of("quantize", "--model", tmp.toString(), "--format", "q8_0", "--out",
                tmp.resolve("y").toString());
        assertThat(notModel.code()).isEqualTo(1);
        assertThat(notModel.err()).contains("not a model folder");
        Path q8 = tmp.resolve("q8");
        assertThat(CliRun.of("quantize", "--model", modelDir.toString(), "--format", "q8_0", "--out", q8.toString())
                .code()).isZero();
        CliRun twice = CliRun.of("quantize", "--model", q8.toString(), "--format", "q4_0", "--out",
                tmp.resolve("z").toString());
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("already quantized (q8_0)");
    }
}
