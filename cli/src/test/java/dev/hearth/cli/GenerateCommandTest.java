package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth generate} and {@code hearth eval ppl} on a tiny model folder. */
class GenerateCommandTest {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. 你好，世界！ the dog sleeps.";

    @TempDir
    Path tmp;

    private Path modelDir;
    private Llama model;
    private ByteLevelBpeTokenizer tokenizer;
    private int eos;

    private record Run(int code, String out, String err) {}

    private static Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Hearth.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void saveATinyModel() {
        tokenizer = BpeTrainer.train(List.of(TEXT), BpeTrainingConfig.gpt2(300)
                .withSpecialTokens(List.of("<|endoftext|>"))).tokenizer();
        eos = tokenizer.specialTokenId("<|endoftext|>").orElseThrow();
        model = new Llama(new Llama.Config(tokenizer.vocabSize(), 64, 2, 4, 2, 16, 32, 10000f, 1e-6f, false, false,
                false, 0f), new Rng(1));
        modelDir = tmp.resolve("model");
        // greedy and 12 new tokens by default
        ModelFolder.save(modelDir, model, tokenizer, new GenerationConfig(eos, List.of(eos), false, 1.0, 0, 1.0, 1.0, 12),
                Map.of());
    }

    private GenerationResult direct(String prompt, SamplingParams params) {
        var loaded = ModelFolder.load(modelDir);
        return new Generator(loaded.model(), loaded.tokenizer()).generate(prompt, params);
    }

    @Test
    void onePromptStreamsItsCompletionWithTheFoldersDefaults() {
        Run r = hearth("generate", "--model", modelDir.toString(), "--prompt", "the quick");
        assertThat(r.code()).as(r.err()).isZero();
        GenerationResult expected = direct("the quick", SamplingParams.greedy(12).withStopTokenIds(List.of(eos)));
        assertThat(r.out()).isEqualTo(expected.text() + System.lineSeparator());
        assertThat(r.err()).contains("new tokens").contains("tok/s").contains("seed");
    }

    @Test
    void optionsOverrideTheDefaultsAndASeedReproduces() {
        String[] args = {"generate", "--model", modelDir.toString(), "--prompt", "你好", "--max-tokens", "20",
            "--temperature", "1.3", "--top-k", "50", "--top-p", "0.95", "--repetition-penalty", "1.2", "--seed", "7"};
        Run a = hearth(args);
        Run b = hearth(args);
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
        GenerationResult expected = direct("你好", new SamplingParams(1.3, 50, 0.95, 1.2, 20, List.of(), List.of(eos), 7));
        assertThat(a.out()).isEqualTo(expected.text() + System.lineSeparator());
        assertThat(a.err()).contains("seed 7");
    }

    @Test
    void severalPromptsRunAsABatchAndPrintLabelled() throws Exception {
        Path file = tmp.resolve("prompt.txt");
        Files.writeString(file, "over the\n", StandardCharsets.UTF_8);
        Run r = hearth("generate", "--model", modelDir.toString(), "--prompt", "the dog", "--prompt-file",
                file.toString(), "--greedy", "--max-tokens", "6");
        assertThat(r.code()).as(r.err()).isZero();
        GenerationResult second = direct("over the", SamplingParams.greedy(6).withStopTokenIds(List.of(eos)));
        assertThat(r.out()).contains("[1] the dog").contains("[2] over the")
                .contains(second.text() + System.lineSeparator() + "[2: " + second.generatedTokens() + " tokens");
    }

    @Test
    void aStopSequenceCutsTheStreamedText() {
        GenerationResult full = direct("the", SamplingParams.greedy(12));
        int at = 1;                                    // two plain characters after the first one
        while (!plain(full.text().charAt(at)) || !plain(full.text().charAt(at + 1))) {
            at++;
        }
        String stop = full.text().substring(at, at + 2);
        Run r = hearth("generate", "--model", modelDir.toString(), "--prompt", "the", "--stop", stop, "--greedy");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(full.text().substring(0, full.text().indexOf(stop)) + System.lineSeparator());
        assertThat(r.err()).contains("stop_sequence");
    }

    private static boolean plain(char c) {
        return c != '\uFFFD' && !Character.isSurrogate(c);
    }

    @Test
    void mistakesAreExplained() throws Exception {
        Run none = hearth("generate", "--model", modelDir.toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no prompt");
        Files.delete(modelDir.resolve("tokenizer.json"));
        Run noTokenizer = hearth("generate", "--model", modelDir.toString(), "--prompt", "hi");
        assertThat(noTokenizer.code()).isEqualTo(1);
        assertThat(noTokenizer.err()).contains("no tokenizer.json");
        Run missing = hearth("generate", "--model", tmp.resolve("nowhere").toString(), "--prompt", "hi");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("config.json");
        Run badTemperature = hearth("generate", "--model", modelDir.toString(), "--prompt", "hi", "--temperature", "x");
        assertThat(badTemperature.code()).isEqualTo(2);
    }

    @Test
    void evalPplPrintsPerplexityAndBitsPerByte() throws Exception {
        Path data = tmp.resolve("text.txt");
        Files.writeString(data, TEXT.repeat(4), StandardCharsets.UTF_8);
        Run r = hearth("eval", "ppl", "--model", modelDir.toString(), "--data", data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("perplexity:").contains("bits/byte:").contains("tokens:").contains("NLL:");

        Run j = hearth("eval", "ppl", "--model", modelDir.toString(), "--data", data.toString(), "--json",
                "--stride", "32", "--batch", "2");
        assertThat(j.code()).as(j.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(j.out());
        var loaded = ModelFolder.load(modelDir);
        var expected = new Perplexity(loaded.model(), loaded.tokenizer())
                .evaluate(TEXT.repeat(4), new PerplexityOptions(32, 2, eos));
        assertThat(o.get("tokens").asLong()).isEqualTo(expected.tokens());
        assertThat(o.get("bytes").asLong()).isEqualTo(TEXT.repeat(4).getBytes(StandardCharsets.UTF_8).length);
        assertThat(o.get("perplexity").asDouble()).isCloseTo(expected.perplexity(), within(1e-6));
        assertThat(o.get("bits_per_byte").asDouble()).isCloseTo(expected.bitsPerByte(), within(1e-9));
        assertThat(o.get("stride").asInt()).isEqualTo(32);

        Run lat = hearth("eval", "ppl", "--model", modelDir.toString(), "--data", data.toString(), "--json", "--latency", "3");
        assertThat(lat.code()).as(lat.err()).isZero();
        JsonNode l = new ObjectMapper().readTree(lat.out()).get("latency");
        assertThat(l.get("runs").asInt()).isEqualTo(3);
        assertThat(l.get("decode_steps_per_run").asInt()).isPositive();
        JsonNode d = l.get("decode_seconds_p50_p95_p99");
        assertThat(d.get(0).asDouble()).isPositive().isLessThanOrEqualTo(d.get(1).asDouble());
        assertThat(d.get(1).asDouble()).isLessThanOrEqualTo(d.get(2).asDouble());
        assertThat(l.get("decode_tokens_per_second").asDouble()).isPositive();
    }

    @Test
    void evalPplReadsJsonLines() throws Exception {
        Path data = tmp.resolve("docs.jsonl");
        Files.writeString(data, "{\"body\": \"the quick brown fox\"}\n\n{\"body\": \"你好，世界！\"}\n",
                StandardCharsets.UTF_8);
        Run r = hearth("eval", "ppl", "--model", modelDir.toString(), "--data", data.toString(), "--field", "body",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("documents").asInt()).isEqualTo(2);
        Run wrongField = hearth("eval", "ppl", "--model", modelDir.toString(), "--data", data.toString());
        assertThat(wrongField.code()).isEqualTo(1);
        assertThat(wrongField.err()).contains("line 1 has no text field \"text\"");
        Run noSubcommand = hearth("eval");
        assertThat(noSubcommand.code()).isEqualTo(2);
        assertThat(noSubcommand.err()).contains("ppl");
    }
}
