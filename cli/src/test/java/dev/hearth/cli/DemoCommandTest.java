package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @TempDir
    Path home;

    private record Run(int code, String out, String err) {}

    private static Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Hearth.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoRunsTheWholeLanguageModelPath() throws Exception {
        Run r = hearth("demo", "--home", home.toString(), "--conversations", "120", "--vocab", "300", "--steps", "4",
                "--set", "model.layers=1", "--set", "model.dim=32", "--set", "model.heads=2", "--set",
                "model.kv_heads=1", "--set", "model.context=128", "--set", "batch_size=4", "--set", "eval_every=2",
                "--port", "0", "--serve-seconds", "0");
        assertThat(r.code()).as(r.err()).isZero();
        // It ends by registering the model, serving it and answering one chat request over HTTP.
        assertThat(r.out()).contains("7. register", "registered support:1", "reply: ", "Your user key",
                "curl http://127.0.0.1:", "OpenAIOkHttpClient.builder()", "stopped serving");
        try (dev.hearth.store.Store store = dev.hearth.store.Store.open(null, home)) {
            assertThat(store.registry().resolve("support").version()).isEqualTo(1);
            assertThat(store.keys().list()).hasSize(1);
            assertThat(store.audit().tail(5)).anySatisfy(e -> {
                assertThat(e.record().endpoint()).isEqualTo("/v1/chat/completions");
                assertThat(e.record().status()).isEqualTo(200);
            });
            assertThat(store.audit().verify().ok()).isTrue();
            // The training run and its metrics are in the store too.
            assertThat(store.runs().list(5)).singleElement().satisfies(run -> {
                assertThat(run.kind()).isEqualTo("demo");
                assertThat(run.status()).isEqualTo("finished");
                assertThat(run.endedAt()).isNotNull();
                assertThat(store.runs().metrics(run.id(), "val_loss")).hasSize(2);
                assertThat(store.runs().metrics(run.id(), "loss")).hasSize(4);
            });
        }
        assertThat(r.out()).contains("1. corpus", "2. prepare", "3. train", "4. evaluate", "5. generate", "done in")
                .contains("English: perplexity", "Chinese: perplexity").contains("<客服>", "<agent>");
        assertThat(home.resolve("corpora/support-conversations.jsonl")).exists();
        assertThat(Files.readAllLines(home.resolve("corpora/support-conversations.jsonl"))).hasSize(120);
        assertThat(home.resolve("datasets/support-demo/manifest.json")).exists();
        Path run;
        try (Stream<Path> s = Files.list(home.resolve("runs"))) {
            run = s.filter(p -> p.getFileName().toString().contains("-demo-")).findFirst().orElseThrow();
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "generation_config.json")) {
            assertThat(run.resolve("checkpoints/best").resolve(f)).exists();
        }
        JsonNode demo = new ObjectMapper().readTree(run.resolve("demo.json").toFile());
        assertThat(demo.get("samples")).hasSize(4);
        assertThat(demo.at("/held_out/en/bits_per_byte").asDouble()).isPositive();
        assertThat(demo.at("/held_out/zh/bits_per_byte").asDouble()).isPositive();
        assertThat(run.resolve("loss.png")).exists();
        // explained, bias-probed and carded before it was registered
        assertThat(r.out()).contains("6. explain", "integrated_gradients:", "bias probes gender-zh: mean gap");
        assertThat(run.resolve("explanation/explanation.html")).exists();
        assertThat(run.resolve("bias-probes.json")).exists();
        String card = Files.readString(run.resolve("checkpoints/best/MODEL_CARD.md"));
        assertThat(card).contains("## Training data", "Personal data was scrubbed", "### Template probes", "held-out en");
        assertThat(home.resolve("models/support/1/MODEL_CARD.md")).exists();
    }

    @Test
    void demoRejectsATinyCorpusAndVocabulary() {
        Run few = hearth("demo", "--home", home.toString(), "--conversations", "5");
        assertThat(few.code()).isEqualTo(1);
        assertThat(few.err()).contains("--conversations must be at least 20");
        Run vocab = hearth("demo", "--home", home.toString(), "--conversations", "40", "--vocab", "100");
        assertThat(vocab.code()).isEqualTo(1);
        assertThat(vocab.err()).contains("bpe:100 is too small");
    }

    @Test
    void digitsDemoTrainsSavesAndReloads() throws Exception {
        Run r = hearth("demo", "digits", "--home", home.toString(), "--synthetic", "--epochs", "1", "--train-images",
                "400");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch 1/1").contains("reloaded").contains("done:");
        Path runs = home.resolve("runs");
        try (Stream<Path> s = Files.list(runs)) {
            Path run = s.findFirst().orElseThrow();
            assertThat(run.resolve("config.json")).exists();
            assertThat(run.resolve("model.safetensors")).exists();
            assertThat(run.resolve("result.json")).exists();
            assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).anyMatch(l -> l.contains("test_accuracy"));
        }
    }

    @Test
    void badOptionsGiveAClearErrorAndCode() {
        Run r = hearth("demo", "digits", "--home", home.toString(), "--synthetic", "--train-images", "0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--train-images must be between 1 and");
        Run bad = hearth("demo", "digits", "--epochs", "many");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--epochs");
        Run missing = hearth("demo", "digits", "--home", home.toString(), "--data",
                home.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("does not hold");
    }

    @Test
    void helpListsTheCommands() {
        Run r = hearth("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "train", "generate", "eval");
    }
}
