package dev.hearth.cli;

import dev.hearth.lab.compress.PruneMethod;
import dev.hearth.lab.compress.Pruner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth prune}: a model folder with weights zeroed (magnitude, Wanda, 2:4) or heads/channels removed. */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a pruned copy of a model folder, with a report (prune.json in the new folder).",
            "magnitude, wanda and 2:4 zero weights of every linear layer in the blocks (same size, same speed);",
            "heads and channels delete attention heads or MLP channels (Llama family): smaller and faster.",
            "See docs/pruning.md."})
final class PruneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The float32 model folder.")
    Path model;

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "magnitude, wanda, 2:4, heads or channels.")
    String method;

    @Option(names = "--sparsity", paramLabel = "S",
            description = "Fraction to remove, in [0, 1): of the weights (magnitude, wanda), of the heads or key/value"
                    + " groups per layer (heads), of the MLP channels per layer (channels). 2:4 is always 0.5.")
    Double sparsity;

    @Option(names = "--scope", paramLabel = "SCOPE",
            description = "magnitude and wanda: layer (each matrix loses the fraction; magnitude's default), row (each"
                    + " output row does; wanda's default) or global (one ranking over all matrices).")
    String scope;

    @Option(names = "--score", paramLabel = "SCORE",
            description = "2:4 only: magnitude (default) or wanda (needs --calibration).")
    String score;

    @Option(names = "--calibration", paramLabel = "DATASET_DIR",
            description = "A prepared dataset (hearth data prepare) with the model's tokenizer: its train split gives"
                    + " the calibration sequences for wanda, heads, channels and 2:4 --score wanda.")
    Path calibration;

    @Option(names = "--calibration-sequences", defaultValue = "32", paramLabel = "N",
            description = "Calibration sequences of the model's context length (default: ${DEFAULT-VALUE}).")
    int calibrationSequences;

    @Option(names = "--data", paramLabel = "DATASET_DIR",
            description = "A prepared dataset: its val split is the held-out set for perplexity (else the calibration"
                    + " set's val split), its train split what --finetune-steps trains on.")
    Path data;

    @Option(names = "--finetune-steps", defaultValue = "0", paramLabel = "N",
            description = "Fine-tune steps after pruning, on --data (default: none). Zeroed weights stay zero.")
    int finetuneSteps;

    @Option(names = "--finetune-batch", defaultValue = "8", paramLabel = "N",
            description = "Sequences per fine-tune step (default: ${DEFAULT-VALUE}).")
    int finetuneBatch;

    @Option(names = "--finetune-lr", defaultValue = "3e-4", paramLabel = "LR",
            description = "Fine-tune learning rate, constant (default: ${DEFAULT-VALUE}).")
    double finetuneLr;

    @Option(names = "--eval-tokens", defaultValue = "16384", paramLabel = "N",
            description = "At most this many held-out tokens scored for perplexity (default: ${DEFAULT-VALUE}).")
    int evalTokens;

    @Option(names = "--latency-runs", defaultValue = "3", paramLabel = "N",
            description = "Timed runs of up to 64 decode steps for tokens/s before and after (0: skip; default:"
                    + " ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new folder (must not exist or be"
            + " empty).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PruneMethod m = PruneMethod.parse(method);
        if (sparsity == null && m != PruneMethod.SEMI_2_4) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--method " + m.id()
                    + " needs --sparsity S, the fraction to remove in [0, 1)");
        }
        var options = new Pruner.Options(m, sparsity == null ? Double.NaN : sparsity, scope, score, calibration,
                calibrationSequences, data, finetuneSteps, finetuneBatch, finetuneLr, evalTokens, latencyRuns);
        Pruner.Report r = Pruner.prune(model, options, out, new Pruner.Listener() {
            @Override
            public void stage(String what) {
                err.println("  " + what);
                err.flush();
            }

            @Override
            public void fineTuneStep(int step, int steps) {
                if (step % Math.max(1, steps / 10) == 0 || step == steps) {
                    err.printf(Locale.ROOT, "    fine-tune step %d/%d%n", step, steps);
                    err.flush();
                }
            }
        });
        o.printf(Locale.ROOT, "pruned %s with %s%s: %d matrices%n", model, r.method(),
                r.scope() != null ? " (scope " + r.scope() + ")" : r.score() != null ? " (score " + r.score() + ")" : "",
                r.matrices().size());
        for (Pruner.MatrixSparsity s : r.matrices()) {
            o.printf(Locale.ROOT, "  %-40s %9d -> %9d weights, %9d zero, sparsity %.3f%n", s.name(), s.weightsBefore(),
                    s.weightsAfter(), s.zeros(), s.sparsity());
        }
        o.printf(Locale.ROOT, "sparsity:    %.4f of the pruned matrices' weights are zero or gone%n", r.totalSparsity());
        o.printf(Locale.ROOT, "parameters:  %,d -> %,d%n", r.parametersBefore(), r.parametersAfter());
        o.printf(Locale.ROOT, "weights:     %,d bytes -> %,d bytes%s%n", r.weightBytesBefore(), r.weightBytesAfter(),
                r.parametersAfter() == r.parametersBefore() ? " (zeros in dense float32 take the same room)" : "");
        if (r.perplexity() != null) {
            var p = r.perplexity();
            o.printf(Locale.ROOT, "perplexity:  %.4f -> %.4f after pruning%s (%,d tokens of %s)%n", p.before(),
                    p.pruned(), p.afterFineTune() == null ? "" : String.format(Locale.ROOT, " -> %.4f after the"
                            + " fine-tune", p.afterFineTune()), p.tokens(), p.data());
        } else {
            o.println("perplexity:  not measured (give --data, whose val split is the held-out set; a --calibration set's"
                    + " val split is used when it holds a window of the context)");
        }
        if (r.fineTune() != null) {
            o.printf(Locale.ROOT, "fine-tune:   %d steps, loss %.4f -> %.4f%n", r.fineTune().steps(),
                    r.fineTune().firstLoss(), r.fineTune().lastLoss());
        }
        if (r.speed() != null) {
            o.printf(Locale.ROOT, "decode:      %,.1f -> %,.1f tokens/s (%d x %d steps, one sequence)%n",
                    r.speed().before(), r.speed().after(), r.speed().runs(), r.speed().stepsPerRun());
        }
        o.printf(Locale.ROOT, "wrote %s (report: %s)%n", out, out.resolve("prune.json"));
        o.flush();
        return 0;
    }
}
