package dev.hearth.cli;

import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.train.TextClassifierTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth train text}: a text classifier fine-tuned from a language model. */
@Command(name = "text", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a language model with a classification head on a CSV of texts and labels (the head",
            "reads the last token's hidden state, as Hugging Face's LlamaForSequenceClassification does).",
            "A seeded train/validation/test split, AdamW, early stopping on the validation loss. The folder (--out) holds",
            "config.json, lm/ (the fine-tuned model), score.safetensors and data/{train,validation,test}.csv.",
            "Evaluate it with 'hearth eval classify'. See docs/tabular.md#text-classifiers."})
final class TrainTextCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "The language model to fine-tune.")
    Path base;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "A CSV file with a header.")
    Path data;

    @Option(names = "--text", defaultValue = "text", paramLabel = "COL", description = "The text column (default: ${DEFAULT-VALUE}).")
    String text;

    @Option(names = "--label", required = true, paramLabel = "COL", description = "The column to predict.")
    String label;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The classifier folder to write.")
    Path out;

    @Option(names = "--epochs", defaultValue = "5", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", defaultValue = "2", paramLabel = "N",
            description = "Stop after N epochs without a better validation loss (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Texts per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "3e-4", paramLabel = "X", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N",
            description = "Tokens read of each text; the rest is cut (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the split, head and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "The CSV delimiter (default: guessed from the header).")
    String delimiter;

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        CsvTable table = CsvTable.read(data, delimiter);
        pw.printf(Locale.ROOT, "%,d rows; text '%s', label '%s'%n", table.rows().size(), text, label);
        TextClassifierTraining.Result r = TextClassifierTraining.train(table, text, label, base,
                new TextClassifierTraining.Config(epochs, batchSize, lr, maxTokens, patience, seed), out,
                e -> pw.printf(Locale.ROOT, "epoch %d: train loss %.4f, validation loss %.4f, accuracy %.4f (%.1f s)%n",
                        e.epoch(), e.trainLoss(), e.validationLoss(), e.validationAccuracy(), e.seconds()));
        pw.printf(Locale.ROOT, "classes: %s; split %,d train / %,d validation / %,d test (seed %d)%n", r.model().classes(),
                r.split().train().length, r.split().validation().length, r.split().test().length, seed);
        pw.printf(Locale.ROOT, "best epoch %d (validation loss %.4f); test accuracy %.4f; %.1f s%n", r.bestEpoch(),
                r.bestValidationLoss(), r.testAccuracy(), r.seconds());
        pw.printf("model: %s%nevaluate with: hearth eval classify --model %s --data test=%s --out %s%n", out, out,
                out.resolve("data").resolve("test.csv"), out.resolve("eval"));
        return 0;
    }
}
