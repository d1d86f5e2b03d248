package dev.hearth.lab.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.train.LanguageModelTraining;
import dev.hearth.lab.train.RunRecorder;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import dev.hearth.store.RunStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The objective of {@code hearth tune}: train a language model with the base config and the
 * trial's parameters on top (as {@code hearth train --config BASE --set key=value} would) and
 * return the best validation loss. Every evaluation's validation loss is reported to the pruner;
 * a pruned trial's training stops at once (its run is recorded as "pruned"); a trial that finished
 * its steps counts as complete even if its last evaluation was poor. Each trial is a run in
 * the workspace's {@code runs/} (kind {@code tune}) and, when a store is given, in the store like
 * any training run (the store's pool lets parallel trials write in turn). A config that cannot be trained (e.g. a width not divisible by the heads) or a
 * run that diverges fails its trial with the training's own error.
 *
 * <p>Each trial computes on a pool of {@code threads} threads of its own, so {@code parallel}
 * trials share the cores without waiting on each other.
 */
public final class TrainingObjective implements Objective {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> base;
    private final Path baseFile;
    private final Workspace workspace;
    private final RunStore store;
    private final int threads;

    /**
     * @param baseFile  the base training config (may be null: the defaults)
     * @param base      settings on top of it, as for {@code --set} (data among them)
     * @param store     where runs are recorded, or null for the run folders only
     * @param threads   compute threads per trial
     */
    public TrainingObjective(Path baseFile, Map<String, String> base, Workspace workspace, RunStore store,
                             int threads) {
        this.baseFile = baseFile;
        this.base = new LinkedHashMap<>(base);
        this.workspace = workspace;
        this.store = store;
        this.threads = Math.max(1, threads);
        TrainConfigReader.read(baseFile, this.base); // the base must be a valid config on its own
    }

    /** The fully resolved config a trial with {@code params} trains. */
    public TrainConfig config(Map<String, Object> params) {
        Map<String, String> o = new LinkedHashMap<>(base);
        o.putAll(SearchSpace.asSettings(params));
        try {
            return TrainConfigReader.read(baseFile, o);
        } catch (HearthException e) {
            throw new TuneException("the trial's settings " + params + " do not make a valid training config: "
                    + e.getMessage(), e);
        }
    }

    /** The base config, for study.json. */
    public JsonNode describe() {
        var node = JSON.createObjectNode();
        node.put("kind", "train");
        node.put("metric", "best val_loss");
        node.set("base_config", JSON.valueToTree(TrainConfigReader.read(baseFile, base)));
        node.put("threads_per_trial", threads);
        return node;
    }

    @Override
    public double evaluate(TrialContext trial) throws Exception {
        TrainConfig config = config(trial.params());
        RunFolder run = workspace.newRun("tune");
        trial.attachRun(run.id());
        LanguageModelTraining.Listener reporter = new LanguageModelTraining.Listener() {
            @Override
            public void onEval(LanguageModelTraining.Eval e) {
                trial.report(e.step(), e.valLoss());
            }
        };
        RunRecorder recorder = store == null ? null : new RunRecorder(store, "tune", reporter);
        LanguageModelTraining.Result[] result = new LanguageModelTraining.Result[1];
        RuntimeException[] failure = new RuntimeException[1];
        String status = "failed";
        try (ComputePool pool = new ComputePool(threads)) {
            ComputePool.runWith(pool, () -> {
                try {
                    result[0] = LanguageModelTraining.start(config, run, recorder == null ? reporter : recorder,
                            trial::shouldStop);
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            status = !"stopped".equals(result[0].status()) ? result[0].status() : trial.pruned() ? "pruned" : "stopped";
        } finally {
            if (recorder != null) {
                recorder.finish(status);
            }
        }
        if ("pruned".equals(status)) {
            throw new TrialPruned();
        }
        if ("stopped".equals(status)) {
            throw new TrialInterrupted();
        }
        return result[0].bestValLoss();
    }

    @Override
    public String configFor(Map<String, Object> params) {
        return "# the best trial's training config; train it with: hearth train --config <this file>\n"
                + TrainConfigReader.toYaml(config(params));
    }
}
