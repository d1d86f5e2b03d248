package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.train.LanguageModelTraining;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth train}: trains a language model on a prepared dataset, or resumes a run. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a language model on a dataset made by 'hearth data prepare', or resume a run.",
            "Settings come from the defaults (nanoGPT's Tiny Shakespeare CPU recipe), then --config, then the flags.",
            "Ctrl-C stops after the current step and saves a checkpoint; --resume continues exactly."})
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

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. --set model.layers=6 --set lr=3e-4 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--max-steps", paramLabel = "N", description = "Optimizer steps.")
    Integer maxSteps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Sequences per micro-batch.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate.")
    Double lr;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between evaluations.")
    Integer evalEvery;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for weights, batches and dropout.")
    Long seed;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue a run (its id under runs/, or its folder) from its last checkpoint.")
    String resume;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Workspace ws = Workspace.resolve(parent.home);
        Map<String, String> overrides = overrides(ws);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(120, TimeUnit.SECONDS); // let the loop save its checkpoint
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hearth-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Printer printer = new Printer(out);
        try {
            LanguageModelTraining.Result r;
            if (resume != null) {
                RunFolder run = findRun(ws, resume);
                TrainConfig requested = config == null && overrides.isEmpty() ? null
                        : TrainConfigReader.read(config, withData(overrides, run));
                r = LanguageModelTraining.resume(run, requested, printer, stop::get);
            } else {
                TrainConfig c = TrainConfigReader.read(config, overrides);
                r = LanguageModelTraining.start(c, ws.newRun("train"), printer, stop::get);
            }
            printer.close();
            out.printf("%s after %d steps (%.0f s, %,d tokens): best val loss %.4f at step %d, last %.4f%n", r.status(),
                    r.steps(), r.seconds(), r.tokensSeen(), r.bestValLoss(), r.bestStep(), r.lastValLoss());
            out.printf("best model: %s%nlast checkpoint: %s%n", r.best(), r.last());
            if ("stopped".equals(r.status())) {
                out.printf("resume with: hearth train --resume %s%n", r.last().getParent().getParent());
            }
            return 0;
        } finally {
            printer.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping: the hook is running and has been released above
            }
        }
    }

    private Map<String, String> overrides(Workspace ws) {
        Map<String, String> o = new LinkedHashMap<>(set);
        if (data != null) {
            o.put("data", resolveData(ws, data).toString());
        }
        if (maxSteps != null) {
            o.put("max_steps", maxSteps.toString());
        }
        if (batchSize != null) {
            o.put("batch_size", batchSize.toString());
        }
        if (lr != null) {
            o.put("lr", lr.toString());
        }
        if (evalEvery != null) {
            o.put("eval_every", evalEvery.toString());
        }
        if (seed != null) {
            o.put("seed", seed.toString());
        }
        return o;
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

    private static RunFolder findRun(Workspace ws, String run) {
        Path direct = Path.of(run);
        Path dir = Files.isDirectory(direct) ? direct : ws.runs().resolve(run);
        if (!Files.isDirectory(dir)) {
            throw new HearthException("no run " + run + " (looked at " + direct.toAbsolutePath() + " and " + dir + ")");
        }
        return new RunFolder(dir.getFileName().toString(), dir.toAbsolutePath().normalize());
    }

    /** Prints progress: a bar on a terminal, a line per evaluation and every tenth of the run otherwise. */
    private static final class Printer implements LanguageModelTraining.Listener {
        private final PrintWriter out;
        private final boolean terminal = System.console() != null && System.console().isTerminal();
        private ProgressBar bar;
        private int lastTenth = -1;
        private LanguageModelTraining.Start start;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onStart(LanguageModelTraining.Start s) {
            this.start = s;
            out.printf("run:     %s (%s)%n", s.runId(), s.runDir());
            out.printf("data:    %s: %,d train tokens, %,d val tokens, vocabulary %,d%n", s.dataset(), s.trainTokens(),
                    s.valTokens(), s.vocabSize());
            out.printf("model:   %,d parameters; %,d tokens per step; steps %d..%d%n", s.parameters(), s.tokensPerStep(),
                    s.fromStep() + 1, s.maxSteps());
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(s.maxSteps())
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed()
                        .setUnit(" steps", 1).setConsumer(new ConsoleProgressBarConsumer(System.out)).build();
                bar.stepTo(s.fromStep());
            }
        }

        @Override
        public void onStep(LanguageModelTraining.Step s) {
            if (bar != null) {
                bar.stepTo(s.step());
                bar.setExtraMessage(String.format("loss %.4f, %,.0f tok/s", s.loss(), s.tokensPerSecond()));
                return;
            }
            int tenth = s.step() * 10 / s.maxSteps();
            if (tenth != lastTenth) {
                lastTenth = tenth;
                int done = s.step() - start.fromStep();
                double eta = s.seconds() / Math.max(1, done) * (s.maxSteps() - s.step());
                out.printf("  step %d/%d loss %.4f lr %.2e, %,.0f tok/s, ETA %.0f s%n", s.step(), s.maxSteps(), s.loss(),
                        s.lr(), s.tokensPerSecond(), eta);
            }
        }

        @Override
        public void onEval(LanguageModelTraining.Eval e) {
            String line = String.format("step %d: train loss %.4f, val loss %.4f%s", e.step(), e.trainLoss(), e.valLoss(),
                    e.best() ? " (best so far)" : "");
            if (bar != null) {
                bar.pause();
                System.out.print("\r");
                out.println(line);
                bar.resume();
            } else {
                out.println(line);
            }
        }

        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
