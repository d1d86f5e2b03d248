package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTrainingTest {

    @TempDir
    static Path shared;

    static Path dataset;

    @BeforeAll
    static void prepare() throws IOException {
        StringBuilder text = new StringBuilder();
        String[] lines = {"the cat sat on the mat.", "a dog ran in the park.", "we like tea and cake.",
            "rain falls on the town.", "the sun is warm today."};
        for (int i = 0; i < 400; i++) {
            text.append(lines[i % lines.length]).append(' ');
        }
        Path corpus = shared.resolve("corpus.txt");
        Files.writeString(corpus, text);
        dataset = shared.resolve("ds");
        new DatasetPreparation(DatasetPreparation.Config.of(List.of(corpus), dataset, "tiny")
                .withTokenizer(new TokenizerChoice.TrainChars()).withSplit(SplitMode.TAIL, 0.1))
                .run(DatasetPreparation.Listener.NONE);
    }

    private static TrainConfig config(int maxSteps, float dropout, int earlyStop) {
        return TrainConfigReader.read(null, settings("data", dataset.toString(), "max_steps", Integer.toString(maxSteps),
                "eval_every", "4", "eval_batches", "2", "batch_size", "4", "warmup_steps", "2", "model.layers", "2",
                "model.heads", "2", "model.dim", "16", "model.context", "16", "model.dropout", Float.toString(dropout),
                "early_stop", Integer.toString(earlyStop)));
    }

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static RunFolder run(Path dir, String id) throws IOException {
        Path d = dir.resolve(id);
        Files.createDirectories(d);
        return new RunFolder(id, d);
    }

    private static Map<String, Tensor> weights(Path checkpoint) {
        return SafeTensors.read(checkpoint.resolve("model.safetensors"));
    }

    @Test
    void aResumedRunEndsWithTheSameBitsAsAnUninterruptedOne(@TempDir Path runs) throws IOException {
        TrainConfig c = config(12, 0.1f, 0);
        LanguageModelTraining.Result whole = LanguageModelTraining.start(c, run(runs, "whole"),
                new LanguageModelTraining.Listener() {}, () -> false);
        assertThat(whole.status()).isEqualTo("finished");
        assertThat(whole.steps()).isEqualTo(12);

        AtomicInteger seen = new AtomicInteger();
        LanguageModelTraining.Listener counter = new LanguageModelTraining.Listener() {
            @Override
            public void onStep(LanguageModelTraining.Step step) {
                seen.set(step.step());
            }
        };
        RunFolder split = run(runs, "split");
        LanguageModelTraining.Result first = LanguageModelTraining.start(c, split, counter, () -> seen.get() >= 5);
        assertThat(first.status()).isEqualTo("stopped");
        assertThat(first.steps()).isEqualTo(5);
        LanguageModelTraining.Result second = LanguageModelTraining.resume(split, null,
                new LanguageModelTraining.Listener() {}, () -> false);
        assertThat(second.status()).isEqualTo("finished");

        Map<String, Tensor> a = weights(whole.last());
        Map<String, Tensor> b = weights(second.last());
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String k : a.keySet()) {
            assertThat(b.get(k).toFloatArray()).as(k).containsExactly(a.get(k).toFloatArray());
        }
        assertThat(second.bestValLoss()).isEqualTo(whole.bestValLoss());
        // The metrics log of the resumed run has each step once.
        List<String> metrics = Files.readAllLines(split.resolve("metrics.jsonl"));
        assertThat(metrics.stream().filter(l -> l.contains("\"loss\"")).count()).isEqualTo(12);
        assertThat(split.resolve("loss.png")).exists();
        assertThat(split.resolve("loss.svg")).exists();
        assertThat(Files.readString(split.resolve("run.json"))).contains("\"status\" : \"finished\"");
    }

    @Test
    void aPrivateRunRecordsTheEpsilonItSpentAndResumesItsAccount(@TempDir Path runs) throws IOException {
        TrainConfig c = config(8, 0f, 0);
        PrivacySettings settings = new PrivacySettings(8.0, null, 1e-5, 1.0, "rdp");
        List<LanguageModelTraining.Privacy> events = new java.util.ArrayList<>();
        AtomicInteger seen = new AtomicInteger();
        LanguageModelTraining.Listener listener = new LanguageModelTraining.Listener() {
            @Override
            public void onStep(LanguageModelTraining.Step step) {
                seen.set(step.step());
                // Poisson samples of 4 sequences on average are now and then empty: that step has no loss
                assertThat(step.tokensPerSecond() == 0 || Double.isFinite(step.loss())).isTrue();
            }

            @Override
            public void onPrivacy(LanguageModelTraining.Privacy p) {
                events.add(p);
            }
        };
        RunFolder r = run(runs, "private");
        LanguageModelTraining.Result first = LanguageModelTraining.start(c, r, listener, () -> seen.get() >= 3, settings);
        assertThat(first.status()).isEqualTo("stopped");
        String privacyJson = Files.readString(r.resolve("privacy.json"));
        assertThat(privacyJson).contains("\"target_epsilon\" : 8.0", "\"noise_multiplier\"", "\"accountant\" : \"rdp\"");
        // The plan first (no epsilon yet), then what 3 steps spent.
        assertThat(events.getFirst().epsilon()).isNaN();
        assertThat(events.getFirst().examples()).isGreaterThan(100);
        double afterThree = events.getLast().epsilon();
        assertThat(events.getLast().step()).isEqualTo(3);
        assertThat(afterThree).isGreaterThan(0).isLessThan(8);

        events.clear();
        LanguageModelTraining.Result second = LanguageModelTraining.resume(r, null, listener, () -> false);
        assertThat(second.status()).isEqualTo("finished");
        double atEnd = events.getLast().epsilon();
        assertThat(events.getLast().step()).isEqualTo(8);
        assertThat(atEnd).isGreaterThan(afterThree).isLessThanOrEqualTo(8.0).isGreaterThan(7.9);
        assertThat(Files.readString(r.resolve("run.json"))).contains("\"privacy\"", "\"epsilon\" : " + atEnd);
        assertThat(Files.readString(r.resolve("metrics.jsonl"))).contains("\"dp_epsilon\"");
        assertThat(SafeTensors.readMetadata(second.last().resolve("model.safetensors")))
                .containsEntry("dp_epsilon", Double.toString(atEnd)).containsEntry("dp_delta", "1.0E-5")
                .containsEntry("dp_steps", "8");
    }

    @Test
    void checkpointsAreModelFoldersThatLoadAnywhere(@TempDir Path runs) throws IOException {
        LanguageModelTraining.Result r = LanguageModelTraining.start(config(8, 0f, 0), run(runs, "r"),
                new LanguageModelTraining.Listener() {}, () -> false);
        ModelFolder.Loaded best = ModelFolder.load(r.best());
        assertThat(best.tokenizer()).isNotNull();
        assertThat(best.model().vocabSize()).isEqualTo(best.tokenizer().vocabSize());
        assertThat(r.last().resolve("optimizer.safetensors")).exists();
        assertThat(r.last().resolve("trainer_state.json")).exists();
        assertThat(SafeTensors.readMetadata(r.last().resolve("model.safetensors")))
                .containsEntry("hearth_run", "r").containsKey("dataset_manifest_sha256");
    }

    @Test
    void earlyStoppingStopsWhenValidationStopsImproving(@TempDir Path runs) throws IOException {
        // A learning rate of zero never improves on the first evaluation.
        TrainConfig c = TrainConfigReader.read(null, settings("data", dataset.toString(), "max_steps", "40",
                "eval_every", "4", "eval_batches", "1", "batch_size", "2", "lr", "1e-12", "min_lr", "0",
                "warmup_steps", "0", "model.layers", "1", "model.dim", "8", "model.heads", "2", "model.context", "8",
                "early_stop", "2"));
        LanguageModelTraining.Result r = LanguageModelTraining.start(c, run(runs, "e"),
                new LanguageModelTraining.Listener() {}, () -> false);
        assertThat(r.status()).isEqualTo("early-stopped");
        assertThat(r.steps()).isLessThan(40);
    }

    @Test
    void resumingWithOtherSettingsIsRefused(@TempDir Path runs) throws IOException {
        RunFolder rf = run(runs, "r");
        AtomicInteger seen = new AtomicInteger();
        LanguageModelTraining.start(config(8, 0f, 0), rf, new LanguageModelTraining.Listener() {
            @Override
            public void onStep(LanguageModelTraining.Step step) {
                seen.set(step.step());
            }
        }, () -> seen.get() >= 2);
        assertThatThrownBy(() -> LanguageModelTraining.resume(rf, config(9, 0f, 0), new LanguageModelTraining.Listener() {},
                () -> false)).isInstanceOf(HearthException.class).hasMessageContaining("max_steps: 8 -> 9");
        RunFolder empty = run(runs, "empty");
        assertThatThrownBy(() -> LanguageModelTraining.resume(empty, null, new LanguageModelTraining.Listener() {},
                () -> false)).isInstanceOf(HearthException.class).hasMessageContaining("no checkpoint to resume from");
    }

    @Test
    void aContextLongerThanTheDataIsExplained(@TempDir Path runs) {
        TrainConfig c = TrainConfigReader.read(null, settings("data", dataset.toString(), "model.context", "5000"));
        assertThatThrownBy(() -> LanguageModelTraining.start(c, run(runs, "x"), new LanguageModelTraining.Listener() {},
                () -> false)).isInstanceOf(HearthException.class).hasMessageContaining("fewer than context + 1");
    }

    @Test
    void configErrorsNameTheSetting(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "data: x\nlrr: 0.1\n");
        assertThatThrownBy(() -> TrainConfigReader.read(yaml, Map.of())).isInstanceOf(HearthException.class)
                .hasMessageContaining("unknown setting 'lrr'");
        Files.writeString(yaml, "data: x\nmodel:\n  layers: many\n");
        assertThatThrownBy(() -> TrainConfigReader.read(yaml, Map.of())).isInstanceOf(HearthException.class)
                .hasMessageContaining("model.layers");
        assertThatThrownBy(() -> TrainConfigReader.read(null, settings("data", "x", "batch_size", "0")))
                .isInstanceOf(HearthException.class).hasMessageContaining("batch_size");
        assertThatThrownBy(() -> TrainConfigReader.read(null, settings("data", "x", "model.nope", "1")))
                .isInstanceOf(HearthException.class).hasMessageContaining("unknown setting 'model.nope'");
        assertThatThrownBy(() -> TrainConfigReader.read(null, settings())).isInstanceOf(HearthException.class)
                .hasMessageContaining("no data");
        Files.writeString(yaml, "data: ds\nmax_steps: 7\nwarmup_steps: 1\nmodel:\n  arch: llama\n  kv_heads: 2\n");
        TrainConfig c = TrainConfigReader.read(yaml, settings("model.layers", "3"));
        assertThat(c.maxSteps()).isEqualTo(7);
        assertThat(c.model().arch()).isEqualTo("llama");
        assertThat(c.model().layers()).isEqualTo(3);
        assertThat(c.model().dim()).isEqualTo(128);
    }
}
