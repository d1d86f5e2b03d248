package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.SequenceClassifier;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.AdamW;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.data.DataInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fine-tunes a language model with a classification head on a CSV of texts and labels
 * ({@code hearth train text}): a seeded train/validation/test split, AdamW on every weight,
 * early stopping on validation loss keeping the best epoch, and the three splits written next to
 * the model (as {@code hearth train tabular} does) so it can be evaluated on exactly its test rows.
 */
public final class TextClassifierTraining {
    private TextClassifierTraining() {}

    /**
     * @param maxEpochs  epochs at most
     * @param batchSize  texts per step
     * @param learningRate AdamW's learning rate (the head and the language model alike)
     * @param maxTokens  tokens of each text read (the rest is cut)
     * @param patience   epochs without a better validation loss before stopping
     * @param seed       split, head initialisation and batch order
     */
    public record Config(int maxEpochs, int batchSize, double learningRate, int maxTokens, int patience, long seed) {
        public Config {
            if (maxEpochs < 1 || batchSize < 1 || maxTokens < 1 || patience < 1) {
                throw new HearthException("epochs, batch size, max tokens and patience must be at least 1");
            }
            if (!(learningRate > 0)) {
                throw new HearthException("the learning rate must be positive, not " + learningRate);
            }
        }

        public static Config defaults() {
            return new Config(5, 16, 3e-4, 64, 2, 1);
        }
    }

    public record Result(TextClassifier model, TabularTraining.Split split, List<TabularTraining.EpochResult> epochs,
                         int bestEpoch, double bestValidationLoss, double testAccuracy, double seconds) {}

    public static Result train(CsvTable table, String textColumn, String label, Path baseModel, Config config, Path out,
                               TabularTraining.Listener listener) {
        long t0 = System.nanoTime();
        int tc = table.header().indexOf(textColumn);
        int lc = table.header().indexOf(label);
        if (tc < 0 || lc < 0) {
            throw new DataInputException(table.file() + " has no column '" + (tc < 0 ? textColumn : label)
                    + "'; the columns are " + table.header());
        }
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int r = 0; r < table.rows().size(); r++) {
            String[] row = table.rows().get(r);
            if (Math.max(tc, lc) >= row.length) {
                throw new DataInputException(table.file() + " row " + (r + 2) + " has " + row.length + " cells");
            }
            if (row[lc].isBlank()) {
                throw new DataInputException(table.file() + " row " + (r + 2) + " has no label in '" + label + "'");
            }
            texts.add(row[tc]);
            labels.add(row[lc]);
        }
        List<String> classes = List.copyOf(new TreeSet<>(labels));
        if (classes.size() < 2) {
            throw new DataInputException("'" + label + "' holds a single class " + classes + "; a classifier needs two or more");
        }
        int[] y = labels.stream().mapToInt(classes::indexOf).toArray();
        TabularTraining.Split split = TabularTraining.split(texts.size(), 0.1, 0.1, config.seed());
        ModelFolder.Loaded base = ModelFolder.load(baseModel);
        if (base.config() != null && base.config().has("quantization")) {
            throw new HearthException(baseModel + " is quantized; fine-tune the float32 model");
        }
        SequenceClassifier net = new SequenceClassifier(base.model(), classes.size(), new Rng(config.seed()));
        TextClassifier model = new TextClassifier(net, base.tokenizer(), textColumn, label, classes, config.maxTokens());
        AdamW opt = new AdamW(net.parameters(), config.learningRate(), new dev.hearth.engine.optim.Adam.Config(0.9, 0.999,
                1e-8, 0.01));
        Rng rng = new Rng(config.seed() + 1);
        List<TabularTraining.EpochResult> epochs = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(net, config.patience());
        int[] order = split.train().clone();
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long e0 = System.nanoTime();
            net.train(true);
            rng.shuffle(order);
            double lossSum = 0;
            int steps = 0;
            for (int from = 0; from < order.length; from += config.batchSize()) {
                int n = Math.min(config.batchSize(), order.length - from);
                List<String> bt = new ArrayList<>(n);
                int[] by = new int[n];
                for (int i = 0; i < n; i++) {
                    bt.add(texts.get(order[from + i]));
                    by[i] = y[order[from + i]];
                }
                TextClassifier.Batch b = model.batch(bt);
                Tensor loss = Losses.crossEntropy(net.forward(b.ids(), n, b.time(), b.lengths()), by);
                lossSum += EarlyStopping.step(loss, opt, epoch);
                steps++;
            }
            double[] val = lossAndAccuracy(model, texts, y, split.validation());
            if (stopping.endEpoch(epoch, lossSum / steps, val, e0, epochs, listener)) {
                break;
            }
        }
        stopping.restoreBest();
        net.eval();
        double test = split.test().length == 0 ? Double.NaN : lossAndAccuracy(model, texts, y, split.test())[1];
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("data", table.file().toString());
        training.put("base_model", baseModel.toAbsolutePath().normalize().toString());
        training.put("rows", texts.size());
        training.put("split", Map.of("train", split.train().length, "validation", split.validation().length, "test",
                split.test().length, "seed", config.seed()));
        training.put("max_epochs", config.maxEpochs());
        training.put("epochs_run", epochs.size());
        training.put("best_epoch", stopping.bestEpoch());
        training.put("best_validation_loss", stopping.bestLoss());
        training.put("batch_size", config.batchSize());
        training.put("learning_rate", config.learningRate());
        training.put("max_tokens", config.maxTokens());
        training.put("test_accuracy", test);
        model.save(out, training);
        TabularTraining.writeSplits(out, table, split);
        return new Result(model, split, List.copyOf(epochs), stopping.bestEpoch(), stopping.bestLoss(), test,
                (System.nanoTime() - t0) / 1e9);
    }

    private static double[] lossAndAccuracy(TextClassifier model, List<String> texts, int[] y, int[] rows) {
        SequenceClassifier net = model.network();
        net.eval();
        double loss = 0;
        int correct = 0;
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int from = 0; from < rows.length; from += 32) {
                int n = Math.min(32, rows.length - from);
                List<String> bt = new ArrayList<>(n);
                int[] by = new int[n];
                for (int i = 0; i < n; i++) {
                    bt.add(texts.get(rows[from + i]));
                    by[i] = y[rows[from + i]];
                }
                TextClassifier.Batch b = model.batch(bt);
                Tensor logits = net.forward(b.ids(), n, b.time(), b.lengths());
                loss += Losses.crossEntropy(logits, by).item() * n;
                int[] p = logits.argmaxLastDim();
                for (int i = 0; i < n; i++) {
                    correct += p[i] == by[i] ? 1 : 0;
                }
            }
        } finally {
            net.train(true);
        }
        return new double[] {loss / rows.length, (double) correct / rows.length};
    }
}
