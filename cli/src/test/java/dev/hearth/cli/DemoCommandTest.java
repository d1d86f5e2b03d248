package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void demoTrainsSavesAndReloads() throws Exception {
        Run r = hearth("demo", "--home", home.toString(), "--synthetic", "--epochs", "1", "--train-images", "400");
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
        Run r = hearth("demo", "--home", home.toString(), "--synthetic", "--train-images", "0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--train-images must be between 1 and");
        Run bad = hearth("demo", "--epochs", "many");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--epochs");
        Run missing = hearth("demo", "--home", home.toString(), "--data", home.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("does not hold");
    }

    @Test
    void helpListsTheCommands() {
        Run r = hearth("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo");
    }
}
