package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCommandTest {
    @TempDir
    static Path shared;

    static Path dataset;

    @BeforeAll
    static void prepare() throws Exception {
        StringBuilder text = new StringBuilder();
        String[] lines = {"the cat sat on the mat.", "a dog ran in the park.", "we like tea and cake."};
        for (int i = 0; i < 300; i++) {
            text.append(lines[i % lines.length]).append(' ');
        }
        Path corpus = shared.resolve("corpus.txt");
        Files.writeString(corpus, text);
        dataset = shared.resolve("ds");
        CliRun r = CliRun.of("data", "prepare", corpus.toString(), "--out", dataset.toString(), "--tokenizer", "char",
                "--split", "tail");
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static Path space(Path dir, String yaml) throws Exception {
        Path f = dir.resolve("space.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String[] SMALL = {"--set", "max_steps=8", "--set", "eval_every=4", "--set", "eval_batches=1",
        "--set", "batch_size=2", "--set", "warmup_steps=1", "--set", "model.layers=1", "--set", "model.heads=2",
        "--set", "model.dim=16", "--set", "model.context=8"};

    private static CliRun tune(Path home, String... args) {
        String[] all = new String[args.length + SMALL.length + 2];
        all[0] = "tune";
        all[1] = "--home=" + home;
        System.arraycopy(args, 0, all, 2, args.length);
        System.arraycopy(SMALL, 0, all, 2 + args.length, SMALL.length);
        return CliRun.of(all);
    }

    @Test
    void searchesResumesAndWritesABestConfigThatTrainReads(@TempDir Path home) throws Exception {
        Path space = space(home, """
                sampler: tpe
                pruner: median
                seed: 2
                params:
                  lr: {type: float, low: 1.0e-3, high: 3.0e-2, log: true}
                  model.dim: {type: categorical, choices: [16, 32]}
                  weight_decay: {type: float, low: 0.0, high: 0.2, step: 0.05}
                """);
        CliRun r = tune(home, "--space", space.toString(), "--data", dataset.toString(), "--trials", "3",
                "--parallel", "2", "--name", "s1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("study:   s1", "trial  state", "best:    trial", "report.html", "best.yaml");
        Path dir = home.resolve("studies/s1");
        JsonNode study = new ObjectMapper().readTree(dir.resolve("study.json").toFile());
        assertThat(study.get("trials")).hasSize(3);
        for (JsonNode t : study.get("trials")) {
            assertThat(t.get("state").asText()).isIn("COMPLETE", "PRUNED");
            assertThat(home.resolve("runs").resolve(t.get("run_id").asText()).resolve("run.json")).isRegularFile();
        }
        assertThat(dir.resolve("report.html")).isNotEmptyFile();
        TrainConfig best = TrainConfigReader.read(dir.resolve("best.yaml"), Map.of());
        assertThat(best.lr()).isEqualTo(study.path("best").path("params").path("lr").asDouble());
        assertThat(best.maxSteps()).isEqualTo(8);

        CliRun more = CliRun.of("tune", "--home=" + home, "--resume", "s1", "--trials", "4");
        assertThat(more.code()).as(more.err()).isZero();
        assertThat(more.out()).contains("resumed: 3 trials recorded");
        assertThat(new ObjectMapper().readTree(dir.resolve("study.json").toFile()).get("trials")).hasSize(4);

        CliRun changed = CliRun.of("tune", "--home=" + home, "--resume", "s1", "--sampler", "gp");
        assertThat(changed.code()).isNotZero();
        assertThat(changed.err()).contains("keeps its space");
    }

    @Test
    void aConfigThatCannotTrainFailsItsTrialAndTheStudyGoesOn(@TempDir Path home) throws Exception {
        Path space = space(home, """
                sampler: grid
                params:
                  model.heads: {type: categorical, choices: [2, 3]}
                """);
        CliRun r = tune(home, "--space", space.toString(), "--data", dataset.toString(), "--trials", "5",
                "--name", "g");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("failed", "must be divisible by model.heads 3", "complete");
    }

    @Test
    void badInputIsNamed(@TempDir Path home) throws Exception {
        Path empty = space(home, "params:\n  lr: {type: float, low: 0.01, high: 0.01}\n");
        CliRun r = tune(home, "--space", empty.toString(), "--data", dataset.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("'lr'", "empty");
        Path unknown = space(home, "params:\n  learning_rate: {type: float, low: 0.001, high: 0.01}\n");
        assertThat(tune(home, "--space", unknown.toString(), "--data", dataset.toString()).err())
                .contains("'learning_rate'", "unknown setting");
        assertThat(CliRun.of("tune", "--home=" + home).err()).contains("--space");
        assertThat(CliRun.of("tune", "--home=" + home, "--resume", "nope").err()).contains("no study nope");
        Path ok = space(home, "params:\n  lr: {type: float, low: 0.001, high: 0.01}\n");
        assertThat(tune(home, "--space", ok.toString(), "--data", dataset.toString(), "--timeout", "soon").err())
                .contains("--timeout");
        assertThat(tune(home, "--space", ok.toString(), "--data", dataset.toString(), "--parallel", "0").err())
                .contains("--parallel");
        assertThat(tune(home, "--space", ok.toString(), "--data", dataset.toString(), "--sampler", "bayes").err())
                .contains("sampler 'bayes'");
    }
}
