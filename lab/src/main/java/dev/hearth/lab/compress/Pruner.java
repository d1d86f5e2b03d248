package dev.hearth.lab.compress;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.lab.BuildInfo;
import dev.hearth.lab.data.TokenDataset;
import dev.hearth.lab.data.TokenSplit;
import dev.hearth.lab.eval.LanguageModelLatency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prunes a model folder and writes the result as a new one, with a report ({@code prune.json}):
 * sparsity per matrix and in total, parameters, weight-file size, held-out perplexity and decode
 * tokens/s before and after. Unstructured methods (magnitude, Wanda, 2:4) leave exact zeros in
 * dense float32 matrices: the folder loads like any other, but is neither smaller nor faster;
 * structured methods (heads, channels) delete rows and columns, so it is both. See
 * docs/pruning.md.
 */
public final class Pruner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    private Pruner() {}

    /**
     * @param method               what to remove
     * @param sparsity             fraction of weights (unstructured), of heads or key/value groups, or
     *                             of MLP channels per layer, in [0, 1); 2:4 is always 0.5
     * @param scope                "layer", "row" or "global" (magnitude and Wanda only; null: layer for
     *                             magnitude, row for Wanda)
     * @param score                for 2:4: "magnitude" or "wanda" (null: magnitude); null for the others
     * @param calibration          prepared dataset whose train split gives the calibration sequences
     *                             (needed by wanda, heads, channels and 2:4 with the wanda score)
     * @param calibrationSequences how many sequences of the model's context length
     * @param data                 prepared dataset for the fine-tune (train split) and the held-out
     *                             perplexity (val split); null for none
     * @param finetuneSteps        fine-tune steps after pruning (0: none; then data is used only for perplexity)
     * @param finetuneBatch        sequences per fine-tune step
     * @param finetuneLr           fine-tune learning rate
     * @param evalTokens           at most this many val tokens scored for perplexity
     * @param latencyRuns          timed runs of 64 decode steps for tokens/s (0: not measured)
     */
    public record Options(PruneMethod method, double sparsity, String scope, String score, Path calibration,
                          int calibrationSequences, Path data, int finetuneSteps, int finetuneBatch, double finetuneLr,
                          int evalTokens, int latencyRuns) {}

    /** Told what is happening; the CLI prints it. */
    public interface Listener {
        default void stage(String what) {}

        default void fineTuneStep(int step, int steps) {}
    }

    /** One pruned matrix: its weights before, after (fewer only for structured pruning), zeros, and the fraction gone. */
    public record MatrixSparsity(String name, long weightsBefore, long weightsAfter, long zeros, double sparsity) {}

    /** Perplexity of the held-out split before pruning, right after it, and after the fine-tune (or null). */
    public record Perplexities(String data, long tokens, double before, double pruned, Double afterFineTune) {}

    /** Decode tokens/s of one sequence on this machine, before and after. */
    public record Speed(int runs, int stepsPerRun, double before, double after) {}

    /** The fine-tune: steps, batch, learning rate and the loss at its first and last step. */
    public record FineTune(int steps, int batch, double lr, String data, double firstLoss, double lastLoss) {}

    /** What {@code hearth prune} writes to {@code prune.json} and prints. */
    public record Report(String model, String out, String method, String scope, String score, double requestedSparsity,
                         int calibrationSequences, String calibration, List<MatrixSparsity> matrices,
                         double totalSparsity, long parametersBefore, long parametersAfter, long weightBytesBefore,
                         long weightBytesAfter, Map<String, Object> shapeBefore, Map<String, Object> shapeAfter,
                         Map<Integer, int[]> removedPerLayer, Perplexities perplexity, Speed speed, FineTune fineTune,
                         double seconds, String hearthVersion) {}

    /** Prunes {@code modelDir} as {@code o} says and writes the new model and prune.json to {@code outDir}. */
    public static Report prune(Path modelDir, Options o, Path outDir, Listener listener) {
        long started = System.nanoTime();
        checkOptions(o);
        checkOut(modelDir, outDir);
        ModelFolder.Loaded loaded = ModelFolder.load(modelDir);
        LanguageModel model = loaded.model();
        if (!model.quantizedParameters().isEmpty()) {
            throw new PruningException(modelDir + " is already quantized ("
                    + model.quantizedParameters().values().iterator().next().format().id() + "); prune the float32"
                    + " model it was made from, then quantize the pruned one");
        }
        if (o.method().structured() && !(model instanceof Llama)) {
            throw new PruningException(modelDir + " holds a " + model.getClass().getSimpleName() + "; --method "
                    + o.method().id() + " handles Llama-family models (llama, qwen2, mistral) so far; magnitude, wanda"
                    + " and 2:4 handle GPT-2 too");
        }
        if (!(model instanceof Llama) && !(model instanceof Gpt)) {
            throw new PruningException(modelDir + " holds a " + model.getClass().getSimpleName() + "; hearth prune"
                    + " handles Llama-family and GPT-2 models");
        }
        try (TokenDataset calibration = o.calibration() == null ? null : openMatching(o.calibration(), loaded,
                "--calibration");
             TokenDataset data = o.data() == null ? null : openMatching(o.data(), loaded, "--data")) {
            int context = model.contextLength();
            // The held-out set: --data's val split; else the calibration set's, when it holds a window
            TokenDataset evalSet = data != null ? data : calibration != null
                    && calibration.split("val").size() > context ? calibration : null;
            int[][] evalWindows = evalSet == null ? null
                    : Calibration.windows(evalSet.split("val"), Math.max(1, o.evalTokens() / context), context + 1);
            Map<String, Object> shapeBefore = shape(model);
            long paramsBefore = model.parameterCount();
            Map<String, Linear> layers = PruneTargets.of(model);
            Map<String, Long> sizesBefore = new LinkedHashMap<>();
            layers.forEach((n, l) -> sizesBefore.put(n, (long) l.inFeatures() * l.outFeatures()));

            Double pplBefore = null;
            if (evalWindows != null) {
                listener.stage("perplexity before, on " + evalWindows.length + " val windows of " + evalSet.dir());
                pplBefore = perplexity(model, evalWindows);
            }
            int[] prompt = latencyPrompt(model, evalWindows);
            LanguageModelLatency.Result speedBefore = null;
            if (o.latencyRuns() > 0) {
                listener.stage("decode tokens/s before");
                speedBefore = LanguageModelLatency.measure(model, prompt, o.latencyRuns(), Math.min(64, context / 2));
            }

            Map<String, double[]> norms = null;
            int calibrated = 0;
            if (needsCalibration(o)) {
                int[][] windows = Calibration.windows(calibration.split("train"), o.calibrationSequences(), context);
                calibrated = windows.length;
                listener.stage("calibrating on " + windows.length + " sequences of " + context + " tokens");
                norms = Calibration.inputNorms(model, layers, windows);
            }
            listener.stage("pruning (" + o.method().id() + ")");
            Map<String, BitSet> masks = null;
            Map<Integer, int[]> removed = Map.of();
            LanguageModel pruned = model;
            switch (o.method()) {
                case MAGNITUDE, WANDA -> {
                    boolean wanda = o.method() == PruneMethod.WANDA;
                    UnstructuredPruning.Scope scope = UnstructuredPruning.Scope.valueOf(
                            scopeOf(o).toUpperCase(java.util.Locale.ROOT));
                    masks = UnstructuredPruning.byScore(layers, scores(layers, wanda ? norms : null), o.sparsity(),
                            scope).pruned();
                }
                case SEMI_2_4 -> masks = UnstructuredPruning.twoOfFour(layers,
                        scores(layers, "wanda".equals(o.score()) ? norms : null)).pruned();
                case CHANNELS -> {
                    StructuredPruning.Result r = StructuredPruning.channels((Llama) model, norms, o.sparsity());
                    pruned = r.model();
                    removed = r.removed();
                }
                case HEADS -> {
                    StructuredPruning.Result r = StructuredPruning.heads((Llama) model, norms, o.sparsity());
                    pruned = r.model();
                    removed = r.removed();
                }
            }
            Map<String, Linear> prunedLayers = PruneTargets.of(pruned);
            Double pplPruned = null;
            if (evalWindows != null) {
                listener.stage("perplexity after pruning");
                pplPruned = perplexity(pruned, evalWindows);
            }
            FineTune fineTune = null;
            Double pplTuned = null;
            if (o.finetuneSteps() > 0) {
                listener.stage("fine-tuning " + o.finetuneSteps() + " steps on " + data.dir());
                var losses = PruneFineTune.run(pruned, prunedLayers, masks, data.split("train"), o.finetuneSteps(),
                        o.finetuneBatch(), o.finetuneLr(), 1234, s -> listener.fineTuneStep(s, o.finetuneSteps()));
                fineTune = new FineTune(o.finetuneSteps(), o.finetuneBatch(), o.finetuneLr(), data.dir().toString(),
                        losses.first(), losses.last());
                listener.stage("perplexity after the fine-tune");
                pplTuned = perplexity(pruned, evalWindows);
            }
            LanguageModelLatency.Result speedAfter = null;
            if (o.latencyRuns() > 0) {
                listener.stage("decode tokens/s after");
                speedAfter = LanguageModelLatency.measure(pruned, prompt, o.latencyRuns(), Math.min(64, context / 2));
            }

            List<MatrixSparsity> matrices = new ArrayList<>();
            long before = 0;
            long nonZero = 0;
            for (var e : prunedLayers.entrySet()) {
                float[] w = e.getValue().weight().toFloatArray();
                long zeros = 0;
                for (float v : w) {
                    if (v == 0f) {
                        zeros++;
                    }
                }
                long wb = sizesBefore.get(e.getKey());
                matrices.add(new MatrixSparsity(e.getKey(), wb, w.length, zeros, 1 - (double) (w.length - zeros) / wb));
                before += wb;
                nonZero += w.length - zeros;
            }
            listener.stage("writing " + outDir);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("pruning", o.method().id());
            meta.put("pruning_sparsity", Double.toString(o.sparsity()));
            meta.put("pruned_from", modelDir.toAbsolutePath().normalize().toString());
            meta.put("pruned_from_sha256", Quantizer.sha256(modelDir.resolve("model.safetensors")));
            if (o.finetuneSteps() > 0) {
                meta.put("pruning_finetune_steps", Integer.toString(o.finetuneSteps()));
                meta.put("pruning_finetune_data", data.dir().toAbsolutePath().normalize().toString());
            }
            meta.put("hearth_version", BuildInfo.version());
            ModelFolder.save(outDir, pruned, loaded.tokenizer(), loaded.generation(), meta);
            Report report = new Report(modelDir.toString(), outDir.toString(), o.method().id(),
                    o.method() == PruneMethod.MAGNITUDE || o.method() == PruneMethod.WANDA
                            ? scopeOf(o) : null,
                    o.method() == PruneMethod.SEMI_2_4 ? (o.score() == null ? "magnitude" : o.score())
                            : o.method() == PruneMethod.WANDA ? "wanda" : o.method() == PruneMethod.MAGNITUDE
                            ? "magnitude" : "activation",
                    o.method() == PruneMethod.SEMI_2_4 ? 0.5 : o.sparsity(), calibrated,
                    calibrated > 0 ? calibration.dir().toString() : null, matrices, 1 - (double) nonZero / before,
                    paramsBefore, pruned.parameterCount(), Quantizer.weightBytes(modelDir),
                    Quantizer.weightBytes(outDir), shapeBefore, shape(pruned), removed,
                    evalWindows == null ? null : new Perplexities(evalSet.dir() + " (val)",
                            (long) evalWindows.length * context, pplBefore, pplPruned, pplTuned),
                    speedBefore == null ? null : new Speed(speedBefore.runs(), speedBefore.stepsPerRun(),
                            speedBefore.tokensPerSecond(), speedAfter.tokensPerSecond()),
                    fineTune, (System.nanoTime() - started) / 1e9, BuildInfo.version());
            try {
                JSON.writeValue(outDir.resolve("prune.json").toFile(), report);
            } catch (IOException e) {
                throw new HearthException("cannot write " + outDir.resolve("prune.json") + ": " + e.getMessage(), e);
            }
            return report;
        }
    }

    private static void checkOptions(Options o) {
        PruneMethod m = o.method();
        if (m == PruneMethod.SEMI_2_4) {
            if (o.sparsity() != 0.5 && !Double.isNaN(o.sparsity())) {
                throw new PruningException("--method 2:4 always prunes 2 of every 4 weights (sparsity 0.5); leave out"
                        + " --sparsity or give 0.5, not " + o.sparsity());
            }
        } else if (!(o.sparsity() >= 0 && o.sparsity() < 1)) {
            throw new PruningException("--sparsity " + o.sparsity() + " is outside [0, 1): give the fraction to remove,"
                    + " e.g. 0.5");
        }
        if (o.scope() != null) {
            if (m != PruneMethod.MAGNITUDE && m != PruneMethod.WANDA) {
                throw new PruningException("--scope applies to magnitude and wanda only; --method " + m.id()
                        + (m == PruneMethod.SEMI_2_4 ? " works within groups of 4" : " removes the same count per layer"));
            }
            if (!o.scope().equals("layer") && !o.scope().equals("row") && !o.scope().equals("global")) {
                throw new PruningException("--scope " + o.scope() + " is not a scope; use layer (each matrix), row"
                        + " (each output row) or global (all matrices together)");
            }
        }
        if (o.score() != null) {
            if (m != PruneMethod.SEMI_2_4) {
                throw new PruningException("--score applies to --method 2:4 only (" + m.id() + " has its own score)");
            }
            if (!o.score().equals("magnitude") && !o.score().equals("wanda")) {
                throw new PruningException("--score " + o.score() + " is not a score; use magnitude or wanda");
            }
        }
        if (needsCalibration(o) && o.calibration() == null) {
            throw new PruningException("--method " + m.id() + (m == PruneMethod.SEMI_2_4 ? " --score wanda" : "")
                    + " scores weights by their input activations: give --calibration DATASET_DIR (a folder from"
                    + " hearth data prepare, with this model's tokenizer)");
        }
        if (o.calibration() != null && !needsCalibration(o)) {
            throw new PruningException("--calibration is not used by --method " + m.id()
                    + (m == PruneMethod.SEMI_2_4 ? " with the magnitude score (add --score wanda)" : "")
                    + "; leave it out, or give the data for perplexity as --data");
        }
        if (o.calibrationSequences() < 1) {
            throw new PruningException("--calibration-sequences must be at least 1, not " + o.calibrationSequences());
        }
        if (o.finetuneSteps() < 0) {
            throw new PruningException("--finetune-steps must be 0 or more, not " + o.finetuneSteps());
        }
        if (o.finetuneSteps() > 0 && o.data() == null) {
            throw new PruningException("--finetune-steps " + o.finetuneSteps() + " needs --data DATASET_DIR to train on"
                    + " (its train split; its val split gives the perplexity)");
        }
        if (o.finetuneBatch() < 1 || !(o.finetuneLr() > 0)) {
            throw new PruningException("--finetune-batch must be at least 1 and --finetune-lr positive, not "
                    + o.finetuneBatch() + " and " + o.finetuneLr());
        }
        if (o.evalTokens() < 1 || o.latencyRuns() < 0) {
            throw new PruningException("--eval-tokens must be at least 1 and --latency-runs 0 or more, not "
                    + o.evalTokens() + " and " + o.latencyRuns());
        }
    }

    /** The scope magnitude or Wanda ranks within: as given, else layer for magnitude and row for Wanda (as its paper). */
    private static String scopeOf(Options o) {
        return o.scope() != null ? o.scope() : o.method() == PruneMethod.WANDA ? "row" : "layer";
    }

    private static boolean needsCalibration(Options o) {
        return switch (o.method()) {
            case MAGNITUDE -> false;
            case SEMI_2_4 -> "wanda".equals(o.score());
            case WANDA, HEADS, CHANNELS -> true;
        };
    }

    private static void checkOut(Path modelDir, Path outDir) {
        if (outDir.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new PruningException("--out " + outDir + " is the model folder itself; write the pruned model to a"
                    + " new folder so the original is kept");
        }
        if (Files.exists(outDir)) {
            boolean empty;
            try (Stream<Path> s = Files.isDirectory(outDir) ? Files.list(outDir) : Stream.of(outDir)) {
                empty = Files.isDirectory(outDir) && s.findAny().isEmpty();
            } catch (IOException e) {
                throw new HearthException("cannot list " + outDir + ": " + e.getMessage(), e);
            }
            if (!empty) {
                throw new PruningException("--out " + outDir + " already exists and is not empty; choose a new folder"
                        + " or remove it first");
            }
        }
    }

    /**
     * Opens a prepared dataset and checks that its tokenizer is the model's, token by token (the
     * model's vocabulary may be larger than its tokenizer: padded embedding rows).
     */
    private static TokenDataset openMatching(Path dir, ModelFolder.Loaded loaded, String option) {
        TokenDataset d = TokenDataset.open(dir);
        Tokenizer t = d.tokenizer();
        Tokenizer m = loaded.tokenizer();
        String problem = null;
        if (m != null && t.vocabSize() != m.vocabSize()) {
            problem = "its tokenizer has " + t.vocabSize() + " tokens, the model's tokenizer.json " + m.vocabSize();
        } else if (t.vocabSize() > loaded.model().vocabSize()) {
            problem = "its tokenizer has " + t.vocabSize() + " tokens but the model's vocabulary only "
                    + loaded.model().vocabSize();
        } else if (m != null) {
            for (int i = 0; i < t.vocabSize(); i++) {
                if (!t.token(i).equals(m.token(i))) {
                    problem = "its tokenizer differs from the model's (token " + i + " is \"" + t.token(i)
                            + "\" there, \"" + m.token(i) + "\" in the model)";
                    break;
                }
            }
        }
        if (problem != null) {
            d.close();
            throw new PruningException(option + " " + dir + " was prepared with another tokenizer: " + problem
                    + "; prepare the data with the model's tokenizer.json (hearth data prepare --tokenizer)");
        }
        return d;
    }

    private static Map<String, float[]> scores(Map<String, Linear> layers, Map<String, double[]> norms) {
        Map<String, float[]> out = new LinkedHashMap<>();
        layers.forEach((n, l) -> out.put(n, UnstructuredPruning.scores(l, norms == null ? null : norms.get(n))));
        return out;
    }

    /** Mean next-token cross-entropy over the windows (each context + 1 tokens), as a perplexity. */
    static double perplexity(LanguageModel model, int[][] windows) {
        int context = windows[0].length - 1;
        double nll = 0;
        try (Autograd.Scope g = Autograd.noGrad()) {
            for (int[] w : windows) {
                int[] ids = java.util.Arrays.copyOf(w, context);
                int[] targets = java.util.Arrays.copyOfRange(w, 1, context + 1);
                Tensor loss = Losses.crossEntropy(model.forward(ids, 1, context), targets);
                nll += loss.item();
            }
        }
        return Math.exp(nll / windows.length);
    }

    private static int[] latencyPrompt(LanguageModel model, int[][] evalWindows) {
        int n = Math.min(16, Math.max(1, model.contextLength() / 4));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = evalWindows != null ? evalWindows[0][i] : i % model.vocabSize();
        }
        return p;
    }

    private static Map<String, Object> shape(LanguageModel model) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (model instanceof Llama l) {
            Llama.Config c = l.config();
            s.put("layers", c.layers());
            s.put("dim", c.dim());
            s.put("heads", c.heads());
            s.put("kv_heads", c.kvHeads());
            s.put("head_dim", c.headDim());
            s.put("hidden", c.hidden());
        }
        s.put("parameters", model.parameterCount());
        return s;
    }
}
