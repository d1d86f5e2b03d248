package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.train.TrainConfigReader;
import dev.hearth.lab.tune.SearchSpace;
import dev.hearth.lab.tune.Study;
import dev.hearth.lab.tune.StudyReport;
import dev.hearth.lab.tune.StudySpec;
import dev.hearth.lab.tune.TrainingObjective;
import dev.hearth.lab.tune.Trial;
import dev.hearth.lab.tune.TuneException;
import dev.hearth.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth tune}: hyper-parameter search over training settings, or the continuation of a stopped study. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Search training settings (a study file's params) with grid, random, TPE or GP sampling,",
            "pruning poor trials early (median rule or ASHA); every trial is a training run in the workspace.",
            "Ctrl-C stops the running trials; --resume STUDY goes on without repeating finished trials."})
final class TuneCommand implements Callable<Integer> {

    @ParentCommand
    Hearth parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--space", paramLabel = "FILE.yaml",
            description = "The study file: params (the search space), and optionally sampler, pruner, direction, seed.")
    Path space;

    @Option(names = "--config", paramLabel = "FILE.yaml", description = "Base training settings (see docs/training.md).")
    Path config;

    @Option(names = "--data", paramLabel = "DIR|NAME", description = "Dataset folder, or a name under datasets/.")
    String data;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A base setting on top of --config (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--sampler", paramLabel = "grid|random|tpe|gp", description = "Overrides the study file's sampler.")
    String sampler;

    @Option(names = "--pruner", paramLabel = "none|median|asha", description = "Overrides the study file's pruner.")
    String pruner;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the sampler (default: the study file's, else 0).")
    Long seed;

    @Option(names = "--trials", paramLabel = "N", description = "Trials in the study in all (default 20; on --resume, as before).")
    Integer trials;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Trials at a time; the cores are split between them (default 1; on --resume, as before).")
    Integer parallel;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Start no trial after this long, e.g. 90s, 30m, 2h (running ones finish).")
    String timeout;

    @Option(names = "--name", paramLabel = "NAME", description = "The study's folder name under studies/ (default: date-time-tune-id).")
    String name;

    @Option(names = "--resume", paramLabel = "STUDY", description = "Continue a study (its name under studies/, or its folder).")
    String resume;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Workspace ws = Workspace.resolve(parent.home);
        Study study;
        Path base;
        if (resume != null) {
            if (space != null || config != null || data != null || !set.isEmpty() || sampler != null || pruner != null
                    || seed != null || name != null) {
                throw new TuneException("a resumed study keeps its space, base config, sampler, pruner and seed;"
                        + " give only --trials, --parallel or --timeout with --resume");
            }
            Path dir = findStudy(ws, resume);
            study = Study.open(dir, SearchSpace::forTraining);
            base = dir.resolve("base.yaml");
        } else {
            if (space == null) {
                throw new TuneException("give the study file with --space FILE.yaml (see docs/tuning.md), or --resume"
                        + " a study");
            }
            JsonNode tree;
            try {
                tree = YAML.readTree(Files.readString(space));
            } catch (IOException e) {
                throw new TuneException("cannot read the study file " + space + ": " + e.getMessage(), e);
            }
            StudySpec s = StudySpec.read(tree, space.toString()).with(sampler, pruner, seed);
            SearchSpace searched = SearchSpace.forTraining(s.params(), space.toString());
            Map<String, String> overrides = new LinkedHashMap<>(set);
            if (data != null) {
                overrides.put("data", TrainCommand.resolveData(ws, data).toString());
            }
            String baseYaml = TrainConfigReader.toYaml(TrainConfigReader.read(config, overrides));
            Path dir = ws.home().resolve("studies").resolve(name != null ? name : newId());
            try {
                Files.createDirectories(dir);
                if (Files.exists(dir.resolve("study.json"))) {
                    throw new TuneException(dir + " already holds a study: --resume " + dir.getFileName()
                            + " to continue it, or choose another --name");
                }
                Files.writeString(dir.resolve("base.yaml"), "# the base training config of this study; each trial"
                        + " sets its params on top\n" + baseYaml);
            } catch (IOException e) {
                throw new TuneException("cannot create the study folder " + dir + ": " + e.getMessage(), e);
            }
            base = dir.resolve("base.yaml");
            Study.Budget first = budget(null);
            TrainingObjective probe = new TrainingObjective(base, Map.of(), ws, null, threads(first.parallel()));
            study = Study.create(dir, s, searched, probe.describe(), first);
        }
        Study.Budget budget = budget(study.budget());
        int threads = threads(budget.parallel());
        out.printf("study:   %s (%s)%n", study.id(), study.dir());
        out.printf("search:  %s; sampler %s, pruner %s, seed %d; %d trials in all, %d at a time (%d thread%s each)%s%n",
                study.space().params().stream().map(p -> p.name()).collect(Collectors.joining(", ")),
                study.spec().sampler().get("type"), study.spec().pruner().get("type"), study.spec().seed(),
                budget.trials(), budget.parallel(), threads, threads == 1 ? "" : "s",
                budget.timeout() == null ? "" : ", no new trial after " + budget.timeout().toSeconds() + " s");
        int before = study.trials().size();
        if (before > 0) {
            out.printf("resumed: %d trial%s recorded%n", before, before == 1 ? "" : "s");
        }
        try (StopRequest stop = new StopRequest("hearth-tune-stop"); Store store = parent.openStore()) {
            TrainingObjective objective = new TrainingObjective(base, Map.of(), ws, store.runs(), threads);
            Study.Outcome outcome = study.optimize(objective, budget, new Study.Listener() {
                @Override
                public void onTrialEnd(Trial t, Trial best) {
                    synchronized (out) {
                        out.printf("trial %3d %-8s %s  %s%s%n", t.number(), state(t),
                                t.value() == null ? "       -" : String.format("%8.4f", t.value()), t.params(),
                                t.error() == null ? "" : "  (" + t.error() + ")");
                        out.flush();
                    }
                }
            }, stop);
            StudyReport.Written w = StudyReport.write(study, objective);
            printTable(out, study, outcome.trials());
            if (outcome.best() != null) {
                out.printf("best:    trial %d, val loss %.4f, %s%n", outcome.best().number(), outcome.best().value(),
                        outcome.best().params());
            } else {
                out.println("best:    no trial completed");
            }
            if (!w.importance().isEmpty()) {
                out.printf("importance (random-forest permutation): %s%n", w.importance().entrySet().stream()
                        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
            }
            out.printf("study:   %s%nreport:  %s%n", study.dir().resolve("study.json"), w.html());
            if (w.bestConfig() != null) {
                out.printf("best config: %s (hearth train --config %s)%n", w.bestConfig(), w.bestConfig());
            }
            switch (outcome.status()) {
                case "stopped" -> out.printf("stopped; continue with: hearth tune --resume %s%n", study.id());
                case "timeout" -> out.printf("time budget spent; continue with: hearth tune --resume %s --timeout ...%n",
                        study.id());
                default -> { }
            }
            return 0;
        }
    }

    private Study.Budget budget(Study.Budget saved) {
        Duration limit = timeout == null ? null : parseDuration(timeout);
        return new Study.Budget(trials != null ? trials : saved != null ? saved.trials() : 20,
                parallel != null ? parallel : saved != null ? saved.parallel() : 1, limit);
    }

    private static int threads(int parallel) {
        return Math.max(1, ComputePool.shared().threads() / parallel);
    }

    private static void printTable(PrintWriter out, Study study, List<Trial> trials) {
        List<String> names = study.space().params().stream().map(p -> p.name()).toList();
        StringBuilder head = new StringBuilder(String.format("%5s  %-8s %9s %6s", "trial", "state", "value", "steps"));
        for (String n : names) {
            head.append(String.format(" %12s", n.length() > 12 ? n.substring(n.length() - 12) : n));
        }
        out.println(head.append("  seconds"));
        for (Trial t : trials) {
            StringBuilder row = new StringBuilder(String.format("%5d  %-8s %9s %6s", t.number(), state(t), t.value() == null ? "-" : String.format("%.4f", t.value()),
                    t.intermediate().isEmpty() ? "-" : t.intermediate().lastKey()));
            for (String n : names) {
                Object v = t.params().get(n);
                row.append(String.format(" %12s", v instanceof Double d ? String.format("%.4g", d) : String.valueOf(v)));
            }
            out.println(row.append(String.format("  %7.1f", t.seconds() == null ? 0.0 : t.seconds())));
        }
    }

    private static String state(Trial t) {
        return t.state() == dev.hearth.lab.tune.TrialState.FAIL ? "failed" : t.state().name().toLowerCase();
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase();
        try {
            double v;
            long unit;
            if (t.endsWith("ms")) {
                v = Double.parseDouble(t.substring(0, t.length() - 2));
                unit = 1;
            } else if (t.endsWith("s")) {
                v = Double.parseDouble(t.substring(0, t.length() - 1));
                unit = 1000;
            } else if (t.endsWith("m")) {
                v = Double.parseDouble(t.substring(0, t.length() - 1));
                unit = 60_000;
            } else if (t.endsWith("h")) {
                v = Double.parseDouble(t.substring(0, t.length() - 1));
                unit = 3_600_000;
            } else {
                v = Double.parseDouble(t);
                unit = 1000;
            }
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis((long) (v * unit));
        } catch (NumberFormatException e) {
            throw new HearthException("--timeout needs a positive duration such as 90s, 30m or 2h, got '" + text + "'");
        }
    }

    private static String newId() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-tune-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }

    private static Path findStudy(Workspace ws, String study) {
        Path direct = Path.of(study);
        Path dir = Files.isRegularFile(direct.resolve("study.json")) ? direct : ws.home().resolve("studies").resolve(study);
        if (!Files.isRegularFile(dir.resolve("study.json"))) {
            throw new TuneException("no study " + study + " (looked for study.json in " + direct.toAbsolutePath()
                    + " and " + dir + ")");
        }
        return dir.toAbsolutePath().normalize();
    }
}
