package dev.hearth.cli;

import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.train.FeatureEncoder;
import dev.hearth.lab.train.TabularTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth train tabular}: a logistic regression or MLP classifier on a CSV file. */
@Command(name = "tabular", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a classifier on a CSV file: numeric columns standardised, categorical columns one-hot,",
            "a seeded train/validation/test split, logistic regression or an MLP, early stopping on the validation loss.",
            "The model folder (--out) holds model.safetensors, encoder.json, config.json and data/{train,validation,test}.csv.",
            "See docs/tabular.md."})
final class TrainTabularCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "A CSV file with a header.")
    Path data;

    @Option(names = "--label", required = true, paramLabel = "COL", description = "The column to predict.")
    String label;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model folder to write.")
    Path out;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "mlp|logistic",
            description = "logistic regression or an MLP with ReLU (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", split = ",", paramLabel = "N[,N]",
            description = "Hidden widths of the MLP (default: 64).")
    List<Integer> hidden;

    @Option(names = "--epochs", defaultValue = "100", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", defaultValue = "5", paramLabel = "N",
            description = "Stop after N epochs without a better validation loss (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N", description = "Rows per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.003", paramLabel = "X", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "X", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "SHARE", description = "Validation share (default: ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--test", defaultValue = "0.2", paramLabel = "SHARE", description = "Test share (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the split, weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--numeric", split = ",", paramLabel = "COL", description = "Read these columns as numbers.")
    List<String> numeric = new ArrayList<>();

    @Option(names = "--categorical", split = ",", paramLabel = "COL", description = "Read these columns as categories (one-hot).")
    List<String> categorical = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "COL", description = "Leave these columns out of the features.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--missing", split = ",", paramLabel = "TOKEN",
            description = "Cell values that mean missing (default: empty, ?, NA, N/A, NaN, nan, null, NULL).")
    List<String> missing;

    @Option(names = "--drop-missing", description = "Drop rows with a missing feature value instead of imputing it.")
    boolean dropMissing;

    @Option(names = "--reweigh", split = ",", paramLabel = "COL",
            description = "Fairness: weight examples by Kamiran-Calders reweighing over these sensitive columns.")
    List<String> reweigh = new ArrayList<>();

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "Field delimiter (default: guessed: , ; or tab).")
    String delimiter;

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        List<Integer> widths = hidden != null ? hidden : model.equals("mlp") ? List.of(64) : List.of();
        FeatureEncoder.Options features = new FeatureEncoder.Options(Set.copyOf(numeric), Set.copyOf(categorical),
                Set.copyOf(exclude), missing != null ? missing : FeatureEncoder.DEFAULT_MISSING);
        TabularTraining.Config config = new TabularTraining.Config(model, widths, epochs, batchSize, lr, weightDecay,
                patience, seed, validation, test, features, dropMissing, reweigh);
        CsvTable table = CsvTable.read(data, delimiter);
        pw.printf(Locale.ROOT, "%,d rows, %d columns; label '%s'%n", table.rows().size(), table.header().size(), label);
        TabularTraining.Result r = TabularTraining.train(table, label, config, out, e -> pw.printf(Locale.ROOT,
                "epoch %3d: train loss %.4f, validation loss %.4f, validation accuracy %.4f (%.2f s)%n", e.epoch(),
                e.trainLoss(), e.validationLoss(), e.validationAccuracy(), e.seconds()));
        if (r.missing().isEmpty()) {
            pw.println("missing values: none");
        } else {
            pw.println("missing values (" + (dropMissing ? r.droppedRows() + " rows dropped" : "imputed: numeric -> training"
                    + " mean, categorical -> category " + FeatureEncoder.MISSING_CATEGORY) + "): " + r.missing());
        }
        if (!r.weights().isEmpty()) {
            pw.println("reweighing (group | class id -> weight): ");
            r.weights().forEach((k, v) -> pw.printf(Locale.ROOT, "  %-50s %.4f%n", k, v));
        }
        var enc = r.model().encoder();
        pw.printf(Locale.ROOT, "features: %d (%d columns: %s)%n", enc.width(), enc.columns().size(),
                String.join(", ", enc.columns().stream().map(c -> c.name() + " " + c.kind().name().toLowerCase(Locale.ROOT))
                        .toList()));
        pw.printf(Locale.ROOT, "classes: %s; split %,d train / %,d validation / %,d test (seed %d)%n", enc.classes(),
                r.split().train().length, r.split().validation().length, r.split().test().length, seed);
        pw.printf(Locale.ROOT, "%s after %d epochs (best %d, validation loss %.4f) in %.1f s%n",
                r.stoppedEarly() ? "stopped early" : "finished", r.epochs().size(), r.bestEpoch(), r.bestValidationLoss(),
                r.seconds());
        pw.printf(Locale.ROOT, "accuracy: train %.4f, validation %.4f, test %.4f%n", r.trainAccuracy(),
                r.validationAccuracy(), r.testAccuracy());
        pw.println("model: " + out.toAbsolutePath());
        pw.println("evaluate with: hearth eval classify --model " + out + " --data test=" + out.resolve("data/test.csv")
                + " --out " + out.resolve("eval"));
        return 0;
    }
}
