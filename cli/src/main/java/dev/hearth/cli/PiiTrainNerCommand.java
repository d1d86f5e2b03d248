package dev.hearth.cli;

import dev.hearth.guard.pii.NerTrainingText;
import dev.hearth.lab.train.NameTaggerTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth pii train-ner}: trains the PERSON/LOCATION name model that --ner-model loads. */
@Command(name = "train-ner", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a PERSON/LOCATION name model (a character BiLSTM tagger, English and Chinese) on",
            "synthetic sentences whose templates and names differ from those of 'hearth pii generate', so",
            "'hearth pii evaluate --ner-model DIR' on generated text measures generalisation. Seeded; early",
            "stopping on a held-out validation set keeps the best epoch. See docs/privacy.md."})
final class PiiTrainNerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model folder to write.")
    Path out;

    @Option(names = "--records", defaultValue = "4000", paramLabel = "N", description = "Training sentences (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--validation", defaultValue = "400", paramLabel = "N",
            description = "Held-out validation sentences for early stopping (default: ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--chinese", defaultValue = "0.4", paramLabel = "SHARE",
            description = "Share of Chinese sentences (default: ${DEFAULT-VALUE}).")
    double chinese;

    @Option(names = "--embed", defaultValue = "32", paramLabel = "N", description = "Embedding width (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", defaultValue = "48", paramLabel = "N",
            description = "LSTM hidden size per direction (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N", description = "Epochs at most (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Sentences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-2", paramLabel = "LR", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--patience", defaultValue = "2", paramLabel = "N",
            description = "Epochs without a better validation loss before stopping (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--unknown-rate", defaultValue = "0.05", paramLabel = "P",
            description = "Probability of hiding an input character in training (default: ${DEFAULT-VALUE}).")
    double unknownRate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        NameTaggerTraining.Config config = new NameTaggerTraining.Config(records, validation, chinese, embed, hidden, epochs,
                batch, lr, patience, unknownRate, seed);
        pw.printf(Locale.ROOT, "%,d training and %,d validation sentences (%.0f%% Chinese); %,d evaluation names and"
                + " places held out of training%n", records, validation, chinese * 100, NerTrainingText.heldOut().size());
        NameTaggerTraining.Result r = NameTaggerTraining.train(config, out,
                e -> pw.printf(Locale.ROOT, "epoch %d: train loss %.4f, validation loss %.4f, tag accuracy %.4f (%.1f s)%n",
                        e.epoch(), e.trainLoss(), e.validationLoss(), e.validationAccuracy(), e.seconds()));
        pw.printf(Locale.ROOT, "best epoch %d (validation loss %.4f); vocabulary %,d characters; %.1f s%n", r.bestEpoch(),
                r.bestValidationLoss(), r.vocabulary().size() - 2, r.seconds());
        pw.printf("model: %s%nuse with:   hearth pii analyze --in FILE.jsonl --out FOUND.jsonl --ner-model %s%n"
                + "measure:    hearth pii generate --out gold.jsonl && hearth pii evaluate --in gold.jsonl --ner-model %s"
                + " --ner model%n", out, out, out);
        return 0;
    }
}
