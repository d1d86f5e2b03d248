package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.ops.SoftTargets;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillationTest {

    @TempDir
    static Path shared;

    static Path dataset;
    static Path otherDataset;
    static Path teacher;

    @BeforeAll
    static void prepare() throws IOException {
        dataset = prepareDataset("corpus", new String[] {"the cat sat on the mat.", "a dog ran in the park.",
            "we like tea and cake.", "rain falls on the town.", "the sun is warm today."});
        otherDataset = prepareDataset("other", new String[] {"xyz zyx xx yy zz.", "zz yx xy."});
        TrainConfig c = TrainConfigReader.read(null, settings("data", dataset.toString(), "max_steps", "20",
                "eval_every", "10", "eval_batches", "2", "batch_size", "4", "warmup_steps", "2", "model.arch", "llama",
                "model.layers", "2", "model.heads", "2", "model.dim", "16", "model.hidden", "32", "model.context", "16",
                "lr", "3e-3"));
        LanguageModelTraining.Result r = LanguageModelTraining.start(c, run(shared, "teacher"),
                new LanguageModelTraining.Listener() {}, () -> false);
        teacher = r.best();
    }

    private static Path prepareDataset(String name, String[] lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append(lines[i % lines.length]).append(' ');
        }
        Path corpus = shared.resolve(name + ".txt");
        Files.writeString(corpus, text);
        Path out = shared.resolve(name + "-ds");
        new DatasetPreparation(DatasetPreparation.Config.of(List.of(corpus), out, name)
                .withTokenizer(new TokenizerChoice.TrainChars()).withSplit(SplitMode.TAIL, 0.1))
                .run(DatasetPreparation.Listener.NONE);
        return out;
    }

    /** The teacher's shape with {@code student} settings on top, and short-run training settings. */
    private static TrainConfig student(Path data, String... student) {
        Map<String, String> m = new LinkedHashMap<>(Distillation.loadTeacher(teacher).shapeSettings());
        m.putAll(settings("data", data.toString(), "max_steps", "10", "eval_every", "5", "eval_batches", "2",
                "batch_size", "4", "warmup_steps", "2", "lr", "3e-3"));
        m.putAll(settings(student));
        return TrainConfigReader.read(null, m);
    }

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
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

    private static DistillationSettings distil(double t, double alpha, boolean init) {
        return new DistillationSettings(teacher.toString(), t, alpha, init, null);
    }

    @Test
    void aDistillationRunResumesToTheSameBitsAndExportsAModelThatRecordsItsTeacher(@TempDir Path runs)
            throws IOException {
        TrainConfig c = student(dataset, "model.layers", "1");
        Distillation.Teacher t = Distillation.loadTeacher(teacher);
        LanguageModelTraining.Result whole = Distillation.prepare(c, distil(2, 0.5, true), t)
                .train(run(runs, "whole"), new LanguageModelTraining.Listener() {}, () -> false);
        assertThat(whole.status()).isEqualTo("finished");

        AtomicInteger seen = new AtomicInteger();
        LanguageModelTraining.Listener counter = new LanguageModelTraining.Listener() {
            @Override
            public void onStep(LanguageModelTraining.Step step) {
                seen.set(step.step());
            }
        };
        RunFolder split = run(runs, "split");
        LanguageModelTraining.Result first = Distillation.prepare(c, distil(2, 0.5, true), t)
                .train(split, counter, () -> seen.get() >= 3);
        assertThat(first.status()).isEqualTo("stopped");
        LanguageModelTraining.Result second = Distillation.resume(split, new LanguageModelTraining.Listener() {},
                () -> false);
        assertThat(second.status()).isEqualTo("finished");
        Map<String, Tensor> a = SafeTensors.read(whole.last().resolve("model.safetensors"));
        Map<String, Tensor> b = SafeTensors.read(second.last().resolve("model.safetensors"));
        for (String k : a.keySet()) {
            assertThat(b.get(k).toFloatArray()).as(k).containsExactly(a.get(k).toFloatArray());
        }
        assertThat(Files.readString(split.resolve("run.json"))).contains("\"kind\" : \"distill\"");
        assertThat(Files.readString(split.resolve("distillation.json"))).contains("\"temperature\" : 2.0")
                .contains("teacher_sha256");

        Path out = runs.resolve("student");
        Distillation.export(second.best(), out);
        ModelFolder.Loaded loaded = ModelFolder.load(out);
        assertThat(((dev.hearth.engine.models.Llama) loaded.model()).config().layers()).isEqualTo(1);
        assertThat(out.resolve("trainer_state.json")).doesNotExist();
        assertThat(out.resolve("optimizer.safetensors")).doesNotExist();
        try (SafeTensorsFile f = SafeTensorsFile.open(out.resolve("model.safetensors"))) {
            assertThat(f.metadata()).containsEntry("distill_teacher", teacher.toAbsolutePath().normalize().toString())
                    .containsEntry("distill_alpha", "0.5").containsKey("hearth_run");
        }
        assertThat(Files.readString(out.resolve("lineage.json"))).contains("\"teacher\"");
        assertThatThrownBy(() -> Distillation.export(second.best(), out)).isInstanceOf(HearthException.class)
                .hasMessageContaining("already holds files");
    }

    @Test
    void theLossMixesTheTeachersSoftTargetsAndTheLabels() {
        Distillation.Teacher t = Distillation.loadTeacher(teacher);
        LanguageModel s = student(dataset, "model.layers", "1").model().build(t.model().vocabSize(), new Rng(5));
        int[] ids = new int[2 * 8];
        int[] targets = new int[2 * 8];
        Rng rng = new Rng(9);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) rng.nextLong(t.model().vocabSize());
            targets[i] = (int) rng.nextLong(t.model().vocabSize());
        }
        Tensor logits = s.forward(ids, 2, 8);
        Tensor teacherLogits = t.model().forward(ids, 2, 8);
        double kl = SoftTargets.klDivergence(logits, teacherLogits, 3f).item();
        double ce = Losses.crossEntropy(logits, targets).item();
        for (double alpha : new double[] {0, 0.3, 1}) {
            var objective = Distillation.objective(t.model(), new DistillationSettings(teacher.toString(), 3, alpha,
                    false, null));
            assertThat((double) objective.loss().of(logits, ids, targets, 2, 8).item()).as("alpha %s", alpha)
                    .isCloseTo(alpha * kl + (1 - alpha) * ce, within(1e-4));
        }
        assertThat(kl).isGreaterThan(0);
    }

    @Test
    void aStudentStartsFromEveryKthTeacherBlock() {
        Distillation.Teacher t = Distillation.loadTeacher(teacher);
        Distillation d = Distillation.prepare(student(dataset, "model.layers", "1"), distil(2, 0.5, true), t);
        assertThat(d.initialisation()).contains("student block 0 <- teacher block 0");
        Distillation plain = Distillation.prepare(student(dataset, "model.layers", "1"), distil(2, 0.5, false), t);
        assertThat(plain.initialisation()).isEmpty();
        assertThat(plain.studentParameters()).isLessThan(t.parameters());
        assertThat(plain.warnings()).isEmpty();

        LanguageModel s = student(dataset, "model.layers", "1").model().build(t.model().vocabSize(), new Rng(1));
        List<String> done = Distillation.initFromTeacher(s, t.model());
        assertThat(done).containsExactly("embeddings, final norm and head copied from the teacher",
                "student block 0 <- teacher block 0");
        Map<String, Tensor> tp = t.model().parameters();
        for (var e : s.parameters().entrySet()) {
            assertThat(e.getValue().toFloatArray()).as(e.getKey()).containsExactly(tp.get(e.getKey()).toFloatArray());
        }
        assertThatThrownBy(() -> Distillation.initFromTeacher(
                student(dataset, "model.dim", "8", "model.hidden", "16").model().build(t.model().vocabSize(),
                        new Rng(1)), t.model()))
                .isInstanceOf(HearthException.class).hasMessageContaining("dim 8 (teacher 16)")
                .hasMessageContaining("hidden 16 (teacher 32)");
        assertThatThrownBy(() -> Distillation.initFromTeacher(student(dataset, "model.layers", "3").model()
                .build(t.model().vocabSize(), new Rng(1)), t.model()))
                .isInstanceOf(HearthException.class).hasMessageContaining("the teacher only 2");
        assertThatThrownBy(() -> Distillation.initFromTeacher(student(dataset, "model.arch", "gpt", "model.kv_heads", "0",
                "model.hidden", "0").model().build(t.model().vocabSize(), new Rng(1)), t.model()))
                .isInstanceOf(HearthException.class).hasMessageContaining("the teacher is llama, the student gpt");
    }

    @Test
    void badInputIsRefusedWithTheReason(@TempDir Path tmp) throws IOException {
        Distillation.Teacher t = Distillation.loadTeacher(teacher);
        assertThatThrownBy(() -> Distillation.loadTeacher(dataset)).isInstanceOf(HearthException.class)
                .hasMessageContaining("is not a model folder");
        assertThatThrownBy(() -> Distillation.loadTeacher(tmp.resolve("nowhere"))).isInstanceOf(HearthException.class)
                .hasMessageContaining("is not a folder");
        assertThatThrownBy(() -> Distillation.prepare(student(otherDataset), distil(2, 0.5, false), t))
                .isInstanceOf(HearthException.class).hasMessageContaining("different tokenizers")
                .hasMessageContaining("tokens, the dataset's (which the student reads)");
        assertThatThrownBy(() -> distil(0, 0.5, false)).isInstanceOf(HearthException.class)
                .hasMessageContaining("temperature must be a positive number");
        assertThatThrownBy(() -> distil(-1, 0.5, false)).isInstanceOf(HearthException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> distil(2, 1.5, false)).isInstanceOf(HearthException.class)
                .hasMessageContaining("alpha").hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> distil(2, -0.1, false)).isInstanceOf(HearthException.class)
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> Distillation.prepare(student(dataset, "model.context", "32"), distil(2, 0.5, false), t))
                .isInstanceOf(HearthException.class).hasMessageContaining("longer than the teacher's (16)");
        assertThat(Distillation.prepare(student(dataset, "model.dim", "32", "model.hidden", "64"),
                distil(2, 0.5, false), t).warnings()).singleElement().asString()
                .contains("is not smaller than the teacher");
        assertThatThrownBy(() -> Distillation.prepare(student(dataset, "init_from", teacher.toString()),
                distil(2, 0.5, true), t)).isInstanceOf(HearthException.class).hasMessageContaining("not both");
    }
}
