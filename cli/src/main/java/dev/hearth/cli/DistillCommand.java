package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.train.Distillation;
import dev.hearth.lab.train.DistillationSettings;
import dev.hearth.lab.train.LanguageModelTraining;
import dev.hearth.lab.train.RunRecorder;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth distill}: trains a smaller student from a teacher's softened predictions and the data's labels. */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a student language model from a teacher (knowledge distillation):",
            "loss = alpha * T^2 * KL(teacher/T || student/T) + (1 - alpha) * cross-entropy(labels).",
            "The student starts as the teacher's shape; --student-* flags (or --student-config) change it.",
            "The run is an ordinary training run (run folder, checkpoints, Ctrl-C and --resume);",
            "the best student is written to --out as a model folder that records its teacher.",
            "See docs/distillation.md."})
final class DistillCommand implements Callable<Integer> {

    @ParentCommand
    Hearth parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--teacher", paramLabel = "DIR", description = "The teacher's model folder (e.g. a run's"
            + " checkpoints/best or a registered model).")
    Path teacher;

    @Option(names = "--data", paramLabel = "DIR|NAME",
            description = "Dataset folder, or the name of one under the workspace's datasets/; its tokenizer must be"
                    + " the teacher's.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where the distilled model goes (must not exist or be empty).")
    Path out;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "2.0",
            description = "Softening temperature, > 0 (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5",
            description = "Weight of the teacher's soft targets in [0, 1]; the labels get 1 - A (default"
                    + " ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--init-from-teacher",
            description = "Start the student from the teacher's embeddings, norms and every k-th block (needs the"
                    + " teacher's widths).")
    boolean initFromTeacher;

    @Option(names = "--student-config", paramLabel = "FILE.yaml",
            description = "A training config as 'hearth train --config' reads (model section and settings) for the"
                    + " student, instead of starting from the teacher's shape.")
    Path studentConfig;

    @Option(names = "--student-layers", paramLabel = "N", description = "Student transformer blocks.")
    Integer layers;

    @Option(names = "--student-dim", paramLabel = "D",
            description = "Student width (the feed-forward width follows it unless --student-hidden is given).")
    Integer dim;

    @Option(names = "--student-heads", paramLabel = "N", description = "Student attention heads.")
    Integer heads;

    @Option(names = "--student-kv-heads", paramLabel = "N", description = "Student key/value heads (llama).")
    Integer kvHeads;

    @Option(names = "--student-hidden", paramLabel = "N", description = "Student feed-forward width (llama).")
    Integer hidden;

    @Option(names = "--student-context", paramLabel = "N",
            description = "Student context, at most the teacher's.")
    Integer context;

    @Mixin
    TrainingFlags training;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue an interrupted distillation run (its id under runs/, or its folder).")
    String resume;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        Workspace ws = Workspace.resolve(parent.home);
        Distillation.requireEmpty(out); // before any training time is spent
        TrainingPrinter printer = new TrainingPrinter(o);
        String status = "failed";
        try (StopRequest stop = new StopRequest("hearth-distill-stop"); Store store = parent.openStore()) {
            RunRecorder recorder = new RunRecorder(store.runs(), "distill", printer);
            LanguageModelTraining.Result r;
            try {
                if (resume != null) {
                    if (teacher != null || data != null || studentConfig != null || !studentFlags().isEmpty()
                            || training.any() || initFromTeacher) {
                        throw new HearthException("a resumed distillation keeps its teacher, data and settings (in its"
                                + " config.json and distillation.json); give only --resume and --out");
                    }
                    r = Distillation.resume(TrainCommand.findRun(ws, resume), recorder, stop);
                } else {
                    if (teacher == null || data == null) {
                        throw new HearthException("give the teacher's model folder (--teacher) and a dataset (--data),"
                                + " or --resume a run");
                    }
                    Distillation.Teacher t = Distillation.loadTeacher(teacher);
                    TrainConfig c = TrainConfigReader.read(studentConfig, settings(ws, t));
                    Distillation d = Distillation.prepare(c,
                            new DistillationSettings(teacher.toString(), temperature, alpha, initFromTeacher, null), t);
                    describe(o, d);
                    r = d.train(ws.newRun("distill"), recorder, stop);
                }
                status = r.status();
            } finally {
                recorder.finish(status);
            }
            printer.close();
            o.println(TrainingPrinter.outcome(r));
            if ("stopped".equals(r.status())) {
                o.printf("resume with: hearth distill --resume %s --out %s%n", r.last().getParent().getParent(), out);
                return 0;
            }
            Path best = r.best() != null ? r.best() : r.last();
            Distillation.export(best, out);
            o.printf("wrote the student to %s (from %s)%n", out, best);
            o.printf("try: hearth eval ppl --model %s --data <text> --latency%n", out);
            return 0;
        } finally {
            printer.close();
        }
    }

    private void describe(PrintWriter o, Distillation d) {
        Distillation.Teacher t = d.teacher();
        TrainConfig c = d.config();
        o.printf(Locale.ROOT, "teacher: %s (%,d parameters)%n", t.folder(), t.parameters());
        o.printf(Locale.ROOT, "student: %s, %d layers, width %d, %d heads, context %d: %,d parameters (%.1f%% of the"
                + " teacher)%n", c.model().arch(), c.model().layers(), c.model().dim(), c.model().heads(),
                c.model().context(), d.studentParameters(), 100.0 * d.studentParameters() / t.parameters());
        o.printf(Locale.ROOT, "loss:    %s * T^2 * KL(teacher || student) at T = %s + %s * cross-entropy%n",
                number(alpha), number(temperature), number(1 - alpha));
        d.initialisation().forEach(line -> o.println("init:    " + line));
        d.warnings().forEach(w -> o.println("warning: " + w));
        o.flush();
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
    }

    /** The teacher's shape (unless --student-config), the --student-* flags, --set, then the training flags. */
    private Map<String, String> settings(Workspace ws, Distillation.Teacher t) {
        Map<String, String> m = new LinkedHashMap<>();
        if (studentConfig == null) {
            m.putAll(t.shapeSettings());
            if (dim != null && hidden == null) {
                m.put("model.hidden", "0"); // 8/3 of the new width, not the teacher's feed-forward width
            }
        }
        m.putAll(studentFlags());
        m.putAll(training.overrides(TrainCommand.resolveData(ws, data).toString()));
        return m;
    }

    private Map<String, String> studentFlags() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "model.layers", layers);
        put(m, "model.dim", dim);
        put(m, "model.heads", heads);
        put(m, "model.kv_heads", kvHeads);
        put(m, "model.hidden", hidden);
        put(m, "model.context", context);
        return m;
    }

    private static void put(Map<String, String> m, String key, Integer value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }
}
