package dev.hearth.lab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.StoredFiles;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.Dropout;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.optim.AdamW;
import dev.hearth.engine.optim.GradientClipping;
import dev.hearth.engine.optim.LearningRateSchedule;
import dev.hearth.engine.optim.OptimizerState;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.guard.dp.DpSgd;
import dev.hearth.guard.dp.PrivacySpent;
import dev.hearth.lab.BuildInfo;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.data.TokenDataset;
import dev.hearth.lab.data.TokenSplit;
import dev.hearth.lab.plot.LossCurve;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Trains a language model on a prepared dataset, nanoGPT style: random windows of the train
 * split, AdamW with warmup and cosine (or linear) decay, global gradient clipping, gradient
 * accumulation, evaluation on the val split every few steps, the best and the last checkpoint
 * kept, early stopping. A run lives in its run folder:
 *
 * <pre>
 * runs/&lt;id&gt;/config.json        the full config (data as an absolute path)
 * runs/&lt;id&gt;/run.json           status, times, dataset and code version, best and last losses
 * runs/&lt;id&gt;/metrics.jsonl      one line per step and per evaluation
 * runs/&lt;id&gt;/loss.png, loss.svg the curves
 * runs/&lt;id&gt;/checkpoints/last/  model folder + trainer_state.json + optimizer.safetensors
 * runs/&lt;id&gt;/checkpoints/best/  model folder + trainer_state.json
 * runs/&lt;id&gt;/privacy.json       a private (DP-SGD) run's settings, with the noise multiplier it trains at
 * </pre>
 *
 * Checkpoints replace their folder whole, so an interrupted save leaves the previous one. A run
 * resumes exactly from {@code last}: the weights, the optimizer, the step (and so the learning
 * rate), the data position (the sampler's random state) and the dropout masks (drawn from the
 * seed and the step) are all restored, and the continued run gives the same bits as one that was
 * never interrupted.
 */
public final class LanguageModelTraining {

    /** Told what happens; the CLI prints it. */
    public interface Listener {
        default void onStart(Start start) {}

        default void onStep(Step step) {}

        default void onEval(Eval eval) {}

        default void onCheckpoint(String which, Path folder) {}

        /** A private run's plan (at its first step) and the privacy it has spent (after each evaluation). */
        default void onPrivacy(Privacy privacy) {}
    }

    public record Start(String runId, Path runDir, long parameters, int vocabSize, long trainTokens, long valTokens,
                        int fromStep, int maxSteps, long tokensPerStep, Path dataset) {}

    public record Step(int step, int maxSteps, double loss, double lr, double gradNorm, double tokensPerSecond,
                       double seconds) {}

    public record Eval(int step, double trainLoss, double valLoss, boolean best) {}

    /**
     * The privacy of a DP-SGD run after {@code step} steps: (epsilon, delta) by {@code accountant}, with the plan
     * that produced it.
     */
    public record Privacy(int step, double epsilon, double delta, double noiseMultiplier, double clipNorm,
                          double sampleRate, long examples, String accountant) {}

    /** How a run ended: "finished", "early-stopped" or "stopped" (interrupted; resumable). */
    public record Result(String status, int steps, double bestValLoss, int bestStep, double lastValLoss, Path best,
                         Path last, double seconds, long tokensSeen) {}

    /**
     * What a run minimises on the train split, and how it labels itself: plain language modelling (cross-entropy
     * against the next token) unless a caller such as {@link Distillation} plugs in another loss. Evaluation always
     * measures the cross-entropy on the val split, so val losses compare across objectives.
     */
    record Objective(String kind, Loss loss, Map<String, String> provenance) {
        static final Objective LANGUAGE_MODELLING = new Objective("train",
                (logits, ids, targets, batch, context) -> Losses.crossEntropy(logits, targets), Map.of());
    }

    /** A step's loss on one micro-batch: the model's logits (batch, context, vocab), its inputs and next tokens. */
    @FunctionalInterface
    interface Loss {
        Tensor of(Tensor logits, int[] ids, int[] targets, int batch, int context);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final long DATA_STREAM = 0x5EED_DA7AL;
    private static final long EVAL_STREAM = 0x5EED_E7A1L;
    private static final long DROPOUT_STREAM = 0x5EED_D0D0L;
    private static final int MAX_NON_FINITE_STEPS = 5;

    private final TrainConfig config;
    private final RunFolder run;
    private final TokenDataset dataset;
    private final Tokenizer tokenizer;
    private final LanguageModel model;
    private final Adam optimizer;
    private final LearningRateSchedule schedule;
    private final BatchSampler train;
    private final BatchSampler trainForEval;
    private final BatchSampler val;
    private final List<Dropout> dropouts = new ArrayList<>();
    private final String configSha;
    private final List<Integer> stepAxis = new ArrayList<>();
    private final List<Double> stepLoss = new ArrayList<>();
    private final List<Integer> evalAxis = new ArrayList<>();
    private final List<Double> evalTrain = new ArrayList<>();
    private final List<Double> evalVal = new ArrayList<>();
    private Rng dataRng;
    private TrainerState state;
    private PrivacySettings privacy;     // null for an ordinary run
    private DpSgd dp;                    // null for an ordinary run
    private double spentEpsilon = Double.NaN;
    private Objective objective = Objective.LANGUAGE_MODELLING;

    private LanguageModelTraining(TrainConfig config, RunFolder run, TokenDataset dataset, LanguageModel model) {
        this.config = config;
        this.run = run;
        this.dataset = dataset;
        this.tokenizer = dataset.tokenizer();
        this.model = model;
        this.optimizer = new AdamW(model.parameters(), config.lr(),
                new Adam.Config(config.beta1(), config.beta2(), 1e-8, config.weightDecay()));
        this.schedule = switch (config.schedule()) {
            case "cosine" -> LearningRateSchedule.warmupCosine(config.lr(), config.minLr(), config.warmupSteps(),
                    config.maxSteps());
            case "linear" -> LearningRateSchedule.warmupLinear(config.lr(), config.minLr(), config.warmupSteps(),
                    config.maxSteps());
            default -> LearningRateSchedule.constant(config.lr());
        };
        int context = model.contextLength();
        this.train = new BatchSampler(dataset.split("train"), "train", config.batchSize(), context);
        this.trainForEval = new BatchSampler(dataset.split("train"), "train", config.batchSize(), context);
        this.val = new BatchSampler(dataset.split("val"), "val", config.batchSize(), context);
        for (Module m : model.modules()) {
            if (m instanceof Dropout d) {
                dropouts.add(d);
            }
        }
        this.configSha = sha256(json(config));
    }

    /** Starts a new run of {@code config} in {@code run}. */
    public static Result start(TrainConfig config, RunFolder run, Listener listener, BooleanSupplier stopRequested) {
        return start(config, run, listener, stopRequested, null);
    }

    /**
     * Starts a new run, made differentially private by DP-SGD when {@code privacy} is not null: each step trains
     * on a Poisson sample of the train split's sequences (batch_size * grad_accum of them on average), clips each
     * sequence's gradient and adds noise; the epsilon spent is reported after every evaluation and recorded in
     * run.json, metrics.jsonl and the checkpoints' metadata.
     */
    public static Result start(TrainConfig config, RunFolder run, Listener listener, BooleanSupplier stopRequested,
            PrivacySettings privacy) {
        Path data = Path.of(config.data()).toAbsolutePath().normalize();
        TrainConfig c = withData(config, data.toString());
        TokenDataset dataset = TokenDataset.open(data);
        LanguageModel model = initialModel(c, dataset.tokenizer().vocabSize());
        return start(c, run, listener, stopRequested, privacy, dataset, model, Objective.LANGUAGE_MODELLING);
    }

    /**
     * Starts a new run of {@code model} (already initialised) on the open {@code dataset} with {@code objective};
     * {@code config.data()} must be the dataset's absolute path.
     */
    static Result start(TrainConfig c, RunFolder run, Listener listener, BooleanSupplier stopRequested,
            PrivacySettings privacy, TokenDataset dataset, LanguageModel model, Objective objective) {
        LanguageModelTraining t = new LanguageModelTraining(c, run, dataset, model);
        t.objective = objective;
        t.dataRng = new Rng(c.seed() ^ DATA_STREAM);
        t.state = new TrainerState(0, 0, List.of(), Double.NaN, -1, 0, Double.NaN, 0, t.configSha);
        run.writeJson("config.json", c);
        if (privacy != null) {
            t.startPrivacy(privacy, 0);
            run.writeJson("privacy.json", t.privacy);
        }
        t.writeRunRecord("running", null);
        return t.loop(listener, stopRequested);
    }

    /**
     * Continues the run in {@code run} from its last checkpoint. {@code requested}, when not null,
     * is the config the caller asked for: it must equal the run's own.
     */
    public static Result resume(RunFolder run, TrainConfig requested, Listener listener, BooleanSupplier stopRequested) {
        Path configFile = run.resolve("config.json");
        Path last = run.resolve("checkpoints").resolve("last");
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(last.resolve("trainer_state.json"))) {
            throw new HearthException(run.dir() + " has no checkpoint to resume from (checkpoints/last/"
                    + "trainer_state.json is missing): the run stopped before its first checkpoint; start it again");
        }
        TrainConfig c = TrainConfigReader.fromJson(configFile);
        if (requested != null) {
            List<String> changed = differences(json(c), json(withData(requested,
                    Path.of(requested.data()).toAbsolutePath().normalize().toString())));
            if (!changed.isEmpty()) {
                throw new HearthException("the run " + run.id() + " was started with other settings (" + String.join(", ",
                        changed) + "); a resumed run keeps its config. Resume without changing them, or start a new run"
                        + " with init_from: " + last);
            }
        }
        TrainerState saved = readState(last.resolve("trainer_state.json"));
        TokenDataset dataset = TokenDataset.open(Path.of(c.data()));
        LanguageModel model = c.model().build(dataset.tokenizer().vocabSize(), new Rng(c.seed()));
        LanguageModelTraining t = new LanguageModelTraining(c, run, dataset, model);
        t.objective = Distillation.objectiveOf(run, dataset); // language modelling unless the run distils
        if (!t.configSha.equals(saved.configSha256())) {
            throw new HearthException(configFile + " no longer matches the config the checkpoint was written with;"
                    + " it was edited by hand: restore it, or start a new run with init_from: " + last);
        }
        model.loadState(ModelFolder.load(last).model().parameters(), true);
        t.optimizer.loadState(OptimizerState.load(last.resolve("optimizer.safetensors")));
        long[] rngState = new long[saved.dataRng().size()];
        for (int i = 0; i < rngState.length; i++) {
            rngState[i] = saved.dataRng().get(i);
        }
        t.dataRng = Rng.fromState(rngState);
        t.state = saved;
        Path privacyFile = run.resolve("privacy.json");
        if (Files.isRegularFile(privacyFile)) {
            try {
                t.startPrivacy(JSON.readValue(Files.readString(privacyFile), PrivacySettings.class), saved.step());
            } catch (IOException e) {
                throw new HearthException("cannot read " + privacyFile + ": " + e.getMessage(), e);
            }
        }
        t.reloadHistory();
        t.writeRunRecord("running", null);
        return t.loop(listener, stopRequested);
    }

    static LanguageModel initialModel(TrainConfig c, int vocabSize) {
        if (c.initFrom() == null) {
            return c.model().build(vocabSize, new Rng(c.seed()));
        }
        LanguageModel base = ModelFolder.load(Path.of(c.initFrom())).model();
        if (!base.quantizedParameters().isEmpty()) {
            throw new HearthException("init_from " + c.initFrom() + " is a quantized model ("
                    + base.quantizedParameters().values().iterator().next().format().id() + "); quantized weights"
                    + " cannot be trained: start from the float32 model it was quantized from");
        }
        if (base.vocabSize() != vocabSize) {
            throw new HearthException("init_from " + c.initFrom() + " has a vocabulary of " + base.vocabSize()
                    + " tokens but the dataset's tokenizer has " + vocabSize + ": prepare the data with that model's"
                    + " tokenizer.json");
        }
        LanguageModel model = c.model().build(vocabSize, new Rng(c.seed()));
        try {
            model.loadState(base.parameters(), true);
        } catch (HearthException e) {
            throw new HearthException("init_from " + c.initFrom() + " does not have the shape of the model section: "
                    + e.getMessage(), e);
        }
        return model;
    }

    /**
     * Sets up DP-SGD: the examples are the train split's non-overlapping windows of context + 1 tokens; the noise
     * multiplier is the one given or solved for the target over max_steps.
     */
    private void startPrivacy(PrivacySettings settings, long stepsTaken) {
        int context = model.contextLength();
        long examples = (dataset.split("train").size() - 1) / context;
        long expected = (long) config.batchSize() * config.gradAccum();
        if (expected > examples) {
            throw new HearthException("private training samples batch_size * grad_accum = " + expected
                    + " sequences per step on average, but the train split holds only " + examples + " sequences of "
                    + context + " tokens: use smaller batches or more data");
        }
        DpSgd.Plan plan = settings.noiseMultiplier() != null
                ? DpSgd.Plan.withNoise(settings.noiseMultiplier(), settings.delta(), settings.clipNorm(), examples,
                        expected, config.maxSteps())
                : DpSgd.Plan.solve(settings.targetEpsilon(), settings.delta(), settings.clipNorm(), examples, expected,
                        config.maxSteps(), settings.privacyAccountant());
        this.privacy = settings.withNoise(plan.noiseMultiplier());
        this.dp = new DpSgd(new DpSgd.Plan(plan.noiseMultiplier(), plan.clipNorm(), plan.examples(), plan.sampleRate(),
                plan.steps(), plan.delta(), settings.targetEpsilon() == null ? Double.NaN : settings.targetEpsilon()),
                model.parameters(), stepsTaken);
    }

    /**
     * One DP-SGD step's gradient: a Poisson sample of sequences, in micro-batches of at most batch_size, each
     * sequence's gradient clipped, the sum noised. Returns {mean loss (NaN for an empty sample), tokens}.
     */
    private double[] privateGradient(int step, int context) {
        int[] sample = dp.sampleBatch();
        TokenSplit split = dataset.split("train");
        int[] window = new int[context + 1];
        double lossSum = 0;
        for (int from = 0, micro = 0; from < sample.length; from += config.batchSize(), micro++) {
            int n = Math.min(config.batchSize(), sample.length - from);
            reseedDropout(step, micro);
            int[] ids = new int[n * context];
            int[] targets = new int[n * context];
            for (int b = 0; b < n; b++) {
                split.read((long) sample[from + b] * context, window, 0, context + 1);
                System.arraycopy(window, 0, ids, b * context, context);
                System.arraycopy(window, 1, targets, b * context, context);
            }
            Tensor logits = model.forward(ids, n, context);
            Tensor l = Losses.crossEntropy(logits, targets);
            dp.backward(l, logits, n);
            lossSum += l.item() * n;
        }
        dp.addNoise();
        return new double[] {sample.length == 0 ? Double.NaN : lossSum / sample.length, (double) sample.length * context};
    }

    /** Reports (and keeps, for run.json and checkpoints) the privacy spent so far. */
    private void reportPrivacy(Listener listener) {
        PrivacySpent spent = dp.spent(privacy.privacyAccountant());
        spentEpsilon = spent.epsilon();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", state.step());
        line.put("dp_epsilon", spentEpsilon);
        line.put("dp_delta", spent.delta());
        run.appendMetrics(line);
        DpSgd.Plan p = dp.plan();
        listener.onPrivacy(new Privacy(state.step(), spentEpsilon, spent.delta(), p.noiseMultiplier(), p.clipNorm(),
                p.sampleRate(), p.examples(), spent.method()));
    }

    // ------------------------------------------------------------------ the loop

    private Result loop(Listener listener, BooleanSupplier stopRequested) {
        int context = model.contextLength();
        listener.onStart(new Start(run.id(), run.dir(), model.parameterCount(), tokenizer.vocabSize(),
                dataset.split("train").size(), dataset.split("val").size(), state.step(), config.maxSteps(),
                config.tokensPerStep(), Path.of(config.data())));
        if (dp != null) {
            DpSgd.Plan p = dp.plan();
            listener.onPrivacy(new Privacy(state.step(), Double.NaN, p.delta(), p.noiseMultiplier(), p.clipNorm(),
                    p.sampleRate(), p.examples(), privacy.privacyAccountant().name()));
        }
        long started = System.nanoTime();
        double elapsedBefore = state.elapsedSeconds();
        int nonFinite = 0;
        String status = "finished";
        while (state.step() < config.maxSteps()) {
            if (stopRequested.getAsBoolean()) {
                status = "stopped";
                break;
            }
            int step = state.step();
            long t0 = System.nanoTime();
            double lr = schedule.at(step);
            optimizer.setLearningRate(lr);
            model.train(true);
            double loss = 0;
            long tokens = config.tokensPerStep();
            if (dp != null) {
                double[] lt = privateGradient(step, context);
                loss = lt[0];
                tokens = (long) lt[1];
            } else {
                for (int micro = 0; micro < config.gradAccum(); micro++) {
                    reseedDropout(step, micro);
                    BatchSampler.Batch b = train.next(dataRng);
                    Tensor logits = model.forward(b.ids(), config.batchSize(), context);
                    Tensor l = objective.loss().of(logits, b.ids(), b.targets(), config.batchSize(), context);
                    loss += l.item() / config.gradAccum();
                    (config.gradAccum() == 1 ? l : l.scale(1f / config.gradAccum())).backward();
                }
            }
            // Clipping the noised gradient is post-processing: it costs a private run no privacy.
            double norm = GradientClipping.clipGlobalNorm(model.parameters().values(),
                    config.gradClip() > 0 ? config.gradClip() : Double.POSITIVE_INFINITY);
            boolean emptySample = dp != null && tokens == 0;
            if ((!Double.isFinite(loss) && !emptySample) || !Double.isFinite(norm)) {
                optimizer.zeroGrad();
                if (++nonFinite >= MAX_NON_FINITE_STEPS) {
                    writeRunRecord("failed", null);
                    throw new HearthException("the loss or the gradients were not finite for " + nonFinite
                            + " steps in a row (step " + (step + 1) + ", loss " + loss + "): training diverged; lower lr"
                            + " (now " + config.lr() + ") or set grad_clip. The last good checkpoint is in "
                            + run.resolve("checkpoints/last"));
                }
                state = advance(state, tokens);
                continue;
            }
            nonFinite = 0;
            optimizer.step();
            optimizer.zeroGrad();
            state = advance(state, tokens);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int done = state.step();
            if (!emptySample) { // a private step whose Poisson sample was empty has no loss to plot
                stepAxis.add(done);
                stepLoss.add(loss);
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", done);
            line.put("loss", loss);
            line.put("lr", lr);
            line.put("grad_norm", norm);
            line.put("tokens_per_s", tokens / seconds);
            run.appendMetrics(line);
            listener.onStep(new Step(done, config.maxSteps(), loss, lr, norm, tokens / seconds,
                    elapsedBefore + (System.nanoTime() - started) / 1e9));
            boolean evalNow = done % config.evalEvery() == 0 || done == config.maxSteps();
            if (evalNow) {
                if (evaluate(listener, elapsedBefore + (System.nanoTime() - started) / 1e9)) {
                    status = "early-stopped";
                    break;
                }
            } else if (config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0) {
                saveLast(listener, elapsedBefore + (System.nanoTime() - started) / 1e9);
            }
        }
        double total = elapsedBefore + (System.nanoTime() - started) / 1e9;
        if (dp != null && !"finished".equals(status) && !"early-stopped".equals(status)) {
            reportPrivacy(listener); // stopped between evaluations: say what was spent up to here
        }
        if (!"finished".equals(status) || lastSavedStep != state.step()) {
            saveLast(listener, total);
        }
        plot();
        Result result = new Result(status, state.step(), state.bestValLoss(), state.bestStep(), state.lastValLoss(),
                state.bestStep() >= 0 ? run.resolve("checkpoints/best") : null, run.resolve("checkpoints/last"), total,
                state.tokensSeen());
        writeRunRecord(status, result);
        return result;
    }

    private int lastSavedStep = -1;

    /** One more step done (or skipped, when its gradients were not finite). */
    private TrainerState advance(TrainerState s, long tokens) {
        return new TrainerState(s.step() + 1, s.tokensSeen() + tokens, rngState(), s.bestValLoss(),
                s.bestStep(), s.evalsWithoutImprovement(), s.lastValLoss(), s.elapsedSeconds(), configSha);
    }

    private List<Long> rngState() {
        List<Long> out = new ArrayList<>();
        for (long v : dataRng.state()) {
            out.add(v);
        }
        return out;
    }

    /** Dropout masks from (seed, step, micro-batch, layer), so a resumed run draws the same ones. */
    private void reseedDropout(int step, int micro) {
        for (int i = 0; i < dropouts.size(); i++) {
            long key = config.seed() ^ DROPOUT_STREAM;
            key = key * 0x9E3779B97F4A7C15L + step;
            key = key * 0x9E3779B97F4A7C15L + micro;
            key = key * 0x9E3779B97F4A7C15L + i;
            dropouts.get(i).reseed(key);
        }
    }

    /** Evaluates, saves checkpoints; returns true when early stopping says to stop. */
    private boolean evaluate(Listener listener, double elapsed) {
        double valLoss = meanLoss(val);
        double trainLoss = meanLoss(trainForEval);
        boolean best = Double.isNaN(state.bestValLoss()) || valLoss < state.bestValLoss();
        state = new TrainerState(state.step(), state.tokensSeen(), state.dataRng(),
                best ? valLoss : state.bestValLoss(), best ? state.step() : state.bestStep(),
                best ? 0 : state.evalsWithoutImprovement() + 1, valLoss, elapsed, configSha);
        evalAxis.add(state.step());
        evalTrain.add(trainLoss);
        evalVal.add(valLoss);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", state.step());
        line.put("train_loss", trainLoss);
        line.put("val_loss", valLoss);
        line.put("best", best);
        run.appendMetrics(line);
        listener.onEval(new Eval(state.step(), trainLoss, valLoss, best));
        if (dp != null) {
            reportPrivacy(listener);
        }
        if (best) {
            Path dir = run.resolve("checkpoints/best");
            ModelFolder.save(dir, model, tokenizer, generation(), provenance(), folder -> writeState(folder));
            listener.onCheckpoint("best", dir);
        }
        saveLast(listener, elapsed);
        plot();
        return config.earlyStop() > 0 && state.evalsWithoutImprovement() >= config.earlyStop();
    }

    /** Mean loss over {@code evalBatches} batches drawn with a fixed seed, so evaluations compare like with like. */
    private double meanLoss(BatchSampler sampler) {
        Rng rng = new Rng(config.seed() ^ EVAL_STREAM);
        model.eval();
        double sum = 0;
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int i = 0; i < config.evalBatches(); i++) {
                BatchSampler.Batch b = sampler.next(rng);
                sum += Losses.crossEntropy(model.forward(b.ids(), config.batchSize(), model.contextLength()), b.targets())
                        .item();
            }
        }
        model.train(true);
        return sum / config.evalBatches();
    }

    private void saveLast(Listener listener, double elapsed) {
        state = new TrainerState(state.step(), state.tokensSeen(), rngState(), state.bestValLoss(), state.bestStep(),
                state.evalsWithoutImprovement(), state.lastValLoss(), elapsed, configSha);
        Path dir = run.resolve("checkpoints/last");
        ModelFolder.save(dir, model, tokenizer, generation(), provenance(), folder -> {
            writeState(folder);
            optimizer.state().save(folder.resolve("optimizer.safetensors"));
        });
        lastSavedStep = state.step();
        listener.onCheckpoint("last", dir);
    }

    private void writeState(Path folder) throws IOException {
        Files.writeString(folder.resolve("trainer_state.json"), JSON.writeValueAsString(state) + "\n",
                StandardCharsets.UTF_8);
    }

    private GenerationConfig generation() {
        Integer sep = dataset.manifest().separatorId();
        return GenerationConfig.defaults(-1, sep == null ? List.of() : List.of(sep));
    }

    private Map<String, String> provenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("hearth_run", run.id());
        m.put("step", Integer.toString(state.step()));
        m.put("config_sha256", configSha);
        m.put("dataset_manifest_sha256", dataset.manifestSha256());
        m.put("hearth_version", BuildInfo.version());
        m.putAll(objective.provenance());
        if (dp != null) {
            m.put("dp_epsilon", Double.toString(spentEpsilon));
            m.put("dp_delta", Double.toString(dp.plan().delta()));
            m.put("dp_noise_multiplier", Double.toString(dp.plan().noiseMultiplier()));
            m.put("dp_clip_norm", Double.toString(dp.plan().clipNorm()));
            m.put("dp_sample_rate", Double.toString(dp.plan().sampleRate()));
            m.put("dp_steps", Long.toString(dp.stepsTaken()));
            m.put("dp_accountant", privacy.accountant());
        }
        return m;
    }

    private void plot() {
        LossCurve.write(run.dir(), "loss", "run " + run.id(), List.of(
                new LossCurve.Series("train loss (per step)", stepAxis, stepLoss),
                new LossCurve.Series("train loss (eval)", evalAxis, evalTrain),
                new LossCurve.Series("val loss", evalAxis, evalVal)));
    }

    /** Rebuilds the curves of a resumed run from its metrics log, up to the checkpoint's step. */
    private void reloadHistory() {
        Path metrics = run.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                var node = JSON.readTree(line);
                int step = node.path("step").asInt(-1);
                if (step < 0 || step > state.step()) {
                    continue; // steps after the checkpoint are repeated by the resumed run
                }
                kept.add(line);
                if (node.has("loss")) {
                    if (Double.isFinite(node.get("loss").asDouble())) {
                        stepAxis.add(step);
                        stepLoss.add(node.get("loss").asDouble());
                    }
                } else if (node.has("val_loss")) {
                    evalAxis.add(step);
                    evalTrain.add(node.get("train_loss").asDouble());
                    evalVal.add(node.get("val_loss").asDouble());
                }
            }
            Path tmp = run.resolve("metrics.jsonl.tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, metrics, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
    }

    private void writeRunRecord(String status, Result result) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", run.id());
        r.put("kind", objective.kind());
        r.put("status", status);
        r.put("updated", Instant.now().toString());
        r.put("step", state.step());
        r.put("max_steps", config.maxSteps());
        r.put("best_val_loss", Double.isNaN(state.bestValLoss()) ? null : state.bestValLoss());
        r.put("best_step", state.bestStep());
        r.put("last_val_loss", Double.isNaN(state.lastValLoss()) ? null : state.lastValLoss());
        r.put("tokens_seen", state.tokensSeen());
        r.put("parameters", model.parameterCount());
        r.put("dataset", config.data());
        r.put("dataset_manifest_sha256", dataset.manifestSha256());
        r.put("config_sha256", configSha);
        r.put("hearth_version", BuildInfo.version());
        r.put("java", Runtime.version().toString());
        r.put("threads", dev.hearth.engine.kernels.ComputePool.shared().threads());
        if (result != null) {
            r.put("seconds", result.seconds());
        }
        if (dp != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("epsilon", Double.isNaN(spentEpsilon) ? null : spentEpsilon);
            p.put("delta", dp.plan().delta());
            p.put("steps", dp.stepsTaken());
            p.put("target_epsilon", privacy.targetEpsilon());
            p.put("noise_multiplier", dp.plan().noiseMultiplier());
            p.put("clip_norm", dp.plan().clipNorm());
            p.put("sample_rate", dp.plan().sampleRate());
            p.put("examples", dp.plan().examples());
            p.put("accountant", privacy.accountant());
            r.put("privacy", p);
        }
        run.writeJson("run.json", r);
    }

    // ------------------------------------------------------------------ helpers

    private static TrainConfig withData(TrainConfig c, String data) {
        return new TrainConfig(c.model(), data, c.batchSize(), c.gradAccum(), c.maxSteps(), c.lr(), c.minLr(),
                c.warmupSteps(), c.schedule(), c.weightDecay(), c.beta1(), c.beta2(), c.gradClip(), c.evalEvery(),
                c.evalBatches(), c.earlyStop(), c.checkpointEvery(), c.seed(), c.initFrom());
    }

    private static String json(TrainConfig c) {
        try {
            return TrainConfigReader.JSON.writeValueAsString(c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Top-level (and model.*) keys whose values differ between two configs' JSON. */
    private static List<String> differences(String a, String b) {
        try {
            var x = TrainConfigReader.JSON.readTree(a);
            var y = TrainConfigReader.JSON.readTree(b);
            List<String> out = new ArrayList<>();
            x.fieldNames().forEachRemaining(k -> {
                if (x.get(k).isObject()) {
                    x.get(k).fieldNames().forEachRemaining(kk -> {
                        if (!x.get(k).get(kk).equals(y.path(k).path(kk))) {
                            out.add(k + "." + kk + ": " + x.get(k).get(kk) + " -> " + y.path(k).path(kk));
                        }
                    });
                } else if (!x.get(k).equals(y.get(k))) {
                    out.add(k + ": " + x.get(k) + " -> " + y.get(k));
                }
            });
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrainerState readState(Path file) {
        try {
            return JSON.readValue(StoredFiles.readString(file), TrainerState.class); // plain or encrypted at rest
        } catch (IOException e) {
            throw new HearthException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
