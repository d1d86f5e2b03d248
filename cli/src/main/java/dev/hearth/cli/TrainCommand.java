package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.train.LanguageModelTraining;
import dev.hearth.lab.train.PrivacySettings;
import dev.hearth.lab.train.RunRecorder;
import dev.hearth.store.Store;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth train}: trains a language model on a prepared dataset, or resumes a run. */
@Command(name = "train", mixinStandardHelpOptions = true, subcommands = {TrainTabularCommand.class, TrainTextCommand.class},
        description = {"Train a language model on a dataset made by 'hearth data prepare', or resume a run.",
            "Settings come from the defaults (nanoGPT's Tiny Shakespeare CPU recipe), then --config, then the flags.",
            "Ctrl-C stops after the current step and saves a checkpoint; --resume continues exactly.",
            "'hearth train tabular' trains a classifier on a CSV file instead (see docs/tabular.md)."})
final class TrainCommand implements Callable<Integer> {

    @ParentCommand
    Hearth parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE.yaml", description = "Training settings in YAML (see docs/training.md).")
    Path config;

    @Option(names = "--data", paramLabel = "DIR|NAME",
            description = "Dataset folder, or the name of one under the workspace's datasets/.")
    String data;

    @Mixin
    TrainingFlags training;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue a run (its id under runs/, or its folder) from its last checkpoint.")
    String resume;

    @Option(names = "--dp-epsilon", paramLabel = "E",
            description = {"Train with DP-SGD to (E, --dp-delta)-differential privacy per training sequence:",
                "the noise multiplier is solved for over max_steps (see docs/differential-privacy.md)."})
    Double dpEpsilon;

    @Option(names = "--dp-noise", paramLabel = "SIGMA",
            description = "Train with DP-SGD at this noise multiplier; the epsilon spent is reported.")
    Double dpNoise;

    @Option(names = "--dp-delta", paramLabel = "D", description = "Delta of the privacy guarantee (default 1e-5).")
    Double dpDelta;

    @Option(names = "--dp-clip", paramLabel = "C", description = "Per-sequence gradient norm limit (default 1.0).")
    Double dpClip;

    @Option(names = "--dp-accountant", paramLabel = "pld|rdp",
            description = "Privacy accountant: pld (default, tightest) or rdp.")
    DpCommand.Accountant dpAccountant;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Workspace ws = Workspace.resolve(parent.home);
        Map<String, String> overrides = overrides(ws);
        TrainingPrinter printer = new TrainingPrinter(out);
        String status = "failed";
        try (StopRequest stop = new StopRequest("hearth-train-stop"); Store store = parent.openStore()) {
            RunRecorder recorder = new RunRecorder(store.runs(), "train", printer);
            LanguageModelTraining.Result r;
            try {
                PrivacySettings privacy = privacy();
                if (resume != null) {
                    if (privacy != null) {
                        throw new HearthException("a resumed run keeps its privacy settings (in its privacy.json);"
                                + " resume without the --dp-* options");
                    }
                    RunFolder run = findRun(ws, resume);
                    TrainConfig requested = config == null && overrides.isEmpty() ? null
                            : TrainConfigReader.read(config, withData(overrides, run));
                    r = LanguageModelTraining.resume(run, requested, recorder, stop);
                } else {
                    TrainConfig c = TrainConfigReader.read(config, overrides);
                    r = LanguageModelTraining.start(c, ws.newRun("train"), recorder, stop, privacy);
                }
                status = r.status();
            } finally {
                recorder.finish(status);
            }
            printer.close();
            out.println(TrainingPrinter.outcome(r));
            if (r.best() != null) {
                out.printf("best model: %s%n", r.best());
            }
            out.printf("last checkpoint: %s%n", r.last());
            if ("stopped".equals(r.status())) {
                out.printf("resume with: hearth train --resume %s%n", r.last().getParent().getParent());
            }
            return 0;
        } finally {
            printer.close();
        }
    }

    /** The DP-SGD settings asked for, or null when no --dp-* option was given. */
    private PrivacySettings privacy() {
        if (dpEpsilon == null && dpNoise == null) {
            if (dpDelta != null || dpClip != null || dpAccountant != null) {
                throw new HearthException("--dp-delta, --dp-clip and --dp-accountant need --dp-epsilon or --dp-noise");
            }
            return null;
        }
        if (dpEpsilon != null && dpNoise != null) {
            throw new HearthException("give --dp-epsilon (the noise is solved for) or --dp-noise, not both");
        }
        return new PrivacySettings(dpEpsilon, dpNoise, dpDelta == null ? 1e-5 : dpDelta, dpClip == null ? 1.0 : dpClip,
                dpAccountant == null ? "pld" : dpAccountant.name());
    }

    private Map<String, String> overrides(Workspace ws) {
        return training.overrides(data == null ? null : resolveData(ws, data).toString());
    }

    /** The run's own data path when the caller gave none, so a bare --set on resume compares fairly. */
    private static Map<String, String> withData(Map<String, String> overrides, RunFolder run) {
        Map<String, String> o = new LinkedHashMap<>(overrides);
        if (!o.containsKey("data")) {
            o.put("data", TrainConfigReader.fromJson(run.resolve("config.json")).data());
        }
        return o;
    }

    static Path resolveData(Workspace ws, String data) {
        Path direct = Path.of(data);
        if (Files.isDirectory(direct)) {
            return direct.toAbsolutePath().normalize();
        }
        Path named = ws.home().resolve("datasets").resolve(data);
        if (Files.isDirectory(named)) {
            return named;
        }
        throw new HearthException("no dataset at " + direct.toAbsolutePath() + " nor " + named
                + ": prepare one with 'hearth data prepare'");
    }

    static RunFolder findRun(Workspace ws, String run) {
        Path direct = Path.of(run);
        Path dir = Files.isDirectory(direct) ? direct : ws.runs().resolve(run);
        if (!Files.isDirectory(dir)) {
            throw new HearthException("no run " + run + " (looked at " + direct.toAbsolutePath() + " and " + dir + ")");
        }
        return new RunFolder(dir.getFileName().toString(), dir.toAbsolutePath().normalize());
    }
}
