package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.store.MetricPoint;
import dev.hearth.store.RunRecord;
import dev.hearth.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a training run in the store as it goes (the run, its status, and every logged metric:
 * loss, learning rate, gradient norm, tokens per second, train and validation loss at each
 * evaluation, and for a private run the epsilon spent), and passes every event on to another listener (the CLI's printer). Metrics are
 * written in batches at each evaluation and at the end; the run folder's metrics.jsonl stays the
 * complete record should the store be unreachable.
 */
public final class RunRecorder implements LanguageModelTraining.Listener {
    private static final int BATCH = 50;

    private final RunStore runs;
    private final String kind;
    private final LanguageModelTraining.Listener next;
    private final List<MetricPoint> pending = new ArrayList<>();
    private String runId;

    public RunRecorder(RunStore runs, String kind, LanguageModelTraining.Listener next) {
        this.runs = runs;
        this.kind = kind;
        this.next = next;
    }

    @Override
    public void onStart(LanguageModelTraining.Start start) {
        runId = start.runId();
        runs.start(new RunRecord(runId, kind, "running", Instant.now(), null, start.runDir().toString(),
                config(start.runDir())));
        next.onStart(start);
    }

    @Override
    public void onStep(LanguageModelTraining.Step s) {
        Instant now = Instant.now();
        pending.add(new MetricPoint(runId, s.step(), "loss", s.loss(), now));
        pending.add(new MetricPoint(runId, s.step(), "lr", s.lr(), now));
        pending.add(new MetricPoint(runId, s.step(), "grad_norm", s.gradNorm(), now));
        pending.add(new MetricPoint(runId, s.step(), "tokens_per_second", s.tokensPerSecond(), now));
        if (pending.size() >= BATCH * 4) {
            flush();
        }
        next.onStep(s);
    }

    @Override
    public void onEval(LanguageModelTraining.Eval e) {
        Instant now = Instant.now();
        pending.add(new MetricPoint(runId, e.step(), "train_loss", e.trainLoss(), now));
        pending.add(new MetricPoint(runId, e.step(), "val_loss", e.valLoss(), now));
        flush();
        next.onEval(e);
    }

    @Override
    public void onPrivacy(LanguageModelTraining.Privacy p) {
        if (!Double.isNaN(p.epsilon())) {
            pending.add(new MetricPoint(runId, p.step(), "dp_epsilon", p.epsilon(), Instant.now()));
            flush();
        }
        next.onPrivacy(p);
    }

    @Override
    public void onCheckpoint(String which, java.nio.file.Path folder) {
        next.onCheckpoint(which, folder);
    }

    /** Writes what is pending and the run's final status ("finished", "early-stopped", "stopped", "failed"). */
    public void finish(String status) {
        if (runId == null) {
            return;
        }
        flush();
        runs.finish(runId, status, Instant.now());
    }

    private void flush() {
        if (!pending.isEmpty()) {
            runs.addMetrics(List.copyOf(pending));
            pending.clear();
        }
    }

    private static String config(Path runDir) {
        Path file = runDir.resolve("config.json");
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "{}";
        } catch (IOException e) {
            throw new HearthException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
