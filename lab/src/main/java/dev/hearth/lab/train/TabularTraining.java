package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.nn.Sequential;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.optim.Optimizer;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.guard.fairness.Reweighing;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.data.DataInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trains a tabular classifier from a CSV file: a seeded train/validation/test split, the
 * {@link FeatureEncoder} fitted on the training rows, logistic regression or an MLP trained with Adam on
 * shuffled mini-batches (optionally with per-example weights, e.g. {@link Reweighing}), and early stopping
 * on the validation loss: after {@code patience} epochs without improvement training stops and the weights
 * of the best epoch are kept. Nothing is printed; a listener hears every epoch.
 */
public final class TabularTraining {

    /**
     * @param model          logistic or mlp
     * @param hidden         hidden widths of an MLP
     * @param dropMissing    drop rows with a missing feature value instead of imputing it
     * @param reweigh        sensitive columns whose groups (intersected) get Kamiran-Calders weights; empty for none
     */
    public record Config(String model, List<Integer> hidden, int maxEpochs, int batchSize, double learningRate,
                         double weightDecay, int patience, long seed, double validationFraction, double testFraction,
                         FeatureEncoder.Options features, boolean dropMissing, List<String> reweigh) {
        public Config {
            hidden = List.copyOf(hidden);
            reweigh = List.copyOf(reweigh);
            if (maxEpochs < 1 || batchSize < 1 || patience < 1 || !(learningRate > 0) || !(weightDecay >= 0)) {
                throw new HearthException("tabular training needs epochs, batch size and patience >= 1, a positive"
                        + " learning rate and a weight decay >= 0; got " + maxEpochs + ", " + batchSize + ", " + patience
                        + ", " + learningRate + ", " + weightDecay);
            }
            if (!(validationFraction > 0) || !(testFraction >= 0) || validationFraction + testFraction >= 0.9) {
                throw new HearthException("the validation share must be > 0, the test share >= 0, and together below 0.9;"
                        + " got " + validationFraction + " and " + testFraction);
            }
        }

        public static Config defaults(String model, List<Integer> hidden) {
            return new Config(model, hidden, 100, 256, 3e-3, 0, 5, 1, 0.1, 0.2, FeatureEncoder.Options.defaults(), false,
                    List.of());
        }
    }

    /** Row indices (into the table after any dropped rows) of each part. */
    public record Split(int[] train, int[] validation, int[] test) {}

    public record EpochResult(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                              double seconds) {}

    @FunctionalInterface
    public interface Listener {
        void onEpoch(EpochResult r);
    }

    /**
     * @param missing     per feature column, the values that were missing in the whole table
     * @param droppedRows rows dropped for a missing value (with dropMissing)
     * @param weights     with reweighing, "group | class id" to its weight
     */
    public record Result(TabularModel model, CsvTable table, Split split, List<EpochResult> epochs, int bestEpoch,
                         double bestValidationLoss, boolean stoppedEarly, double trainAccuracy,
                         double validationAccuracy, double testAccuracy, Map<String, Integer> missing, int droppedRows,
                         Map<String, Double> weights, double seconds) {}

    private TabularTraining() {}

    /** A seeded shuffle of {@code n} rows cut into test, validation and the rest for training. */
    public static Split split(int n, double validationFraction, double testFraction, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        new Rng(seed).shuffle(order);
        int test = (int) Math.round(n * testFraction);
        int val = Math.max(1, (int) Math.round(n * validationFraction));
        if (n - test - val < 1) {
            throw new DataInputException("only " + n + " rows: too few to split into training, validation and test");
        }
        int[] te = java.util.Arrays.copyOfRange(order, 0, test);
        int[] va = java.util.Arrays.copyOfRange(order, test, test + val);
        int[] tr = java.util.Arrays.copyOfRange(order, test + val, n);
        java.util.Arrays.sort(te);
        java.util.Arrays.sort(va);
        java.util.Arrays.sort(tr);
        return new Split(tr, va, te);
    }

    /**
     * The whole job on {@code table}: split, fit the encoder, train, and write the model folder to
     * {@code out} with the three parts as {@code data/train.csv}, {@code data/validation.csv} and
     * {@code data/test.csv} (the rows as read, for evaluation and fairness reports on the same split).
     */
    public static Result train(CsvTable table, String label, Config config, Path out, Listener listener) {
        long start = System.nanoTime();
        table.column(label);
        Set<String> missingTokens = Set.copyOf(config.features().missingTokens());
        Map<String, Integer> missing = new LinkedHashMap<>();
        int li = table.column(label);
        for (int c = 0; c < table.header().size(); c++) {
            String name = table.header().get(c);
            if (c == li || config.features().exclude().contains(name)) {
                continue;
            }
            int count = 0;
            for (String[] row : table.rows()) {
                if (missingTokens.contains(row[c].strip())) {
                    count++;
                }
            }
            if (count > 0) {
                missing.put(name, count);
            }
        }
        CsvTable data = table;
        int dropped = 0;
        if (config.dropMissing() && !missing.isEmpty()) {
            List<Integer> keep = new ArrayList<>();
            List<Integer> cols = missing.keySet().stream().map(table::column).toList();
            for (int r = 0; r < table.rows().size(); r++) {
                String[] row = table.rows().get(r);
                if (cols.stream().noneMatch(c -> missingTokens.contains(row[c].strip()))) {
                    keep.add(r);
                }
            }
            dropped = table.rows().size() - keep.size();
            data = table.subset(keep.stream().mapToInt(Integer::intValue).toArray());
        }
        Split split = split(data.rows().size(), config.validationFraction(), config.testFraction(), config.seed());
        FeatureEncoder encoder = FeatureEncoder.fit(data, label, config.features(), split.train());
        CsvTable train = data.subset(split.train());
        CsvTable val = data.subset(split.validation());
        CsvTable test = data.subset(split.test());
        Tensor xTrain = encoder.encode(train).features();
        int[] yTrain = encoder.labels(train);
        Tensor xVal = encoder.encode(val).features();
        int[] yVal = encoder.labels(val);
        Map<String, Double> cells = Map.of();
        float[] weights = null;
        if (!config.reweigh().isEmpty()) {
            String[] groups = groups(train, config.reweigh());
            Reweighing rw = Reweighing.of(groups, yTrain);
            weights = new float[yTrain.length];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) rw.weights()[i];
            }
            cells = rw.cells();
        }
        TabularModel.Architecture arch = new TabularModel.Architecture(config.model(), config.hidden(), encoder.width(),
                encoder.classes().size());
        Sequential net = arch.build(new Rng(config.seed()));
        Fit fit = fit(net, xTrain, yTrain, weights, xVal, yVal, config, listener);
        TabularModel model = new TabularModel(encoder, arch, net);
        net.eval();
        double trainAcc = accuracy(model, xTrain, yTrain);
        double valAcc = accuracy(model, xVal, yVal);
        double testAcc = test.rows().isEmpty() ? Double.NaN
                : accuracy(model, encoder.encode(test).features(), encoder.labels(test));
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> extra = new LinkedHashMap<>();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("data", table.file().toAbsolutePath().toString());
        training.put("rows", table.rows().size());
        training.put("dropped_rows", dropped);
        training.put("missing_values", missing);
        training.put("split", Map.of("train", split.train().length, "validation", split.validation().length,
                "test", split.test().length, "seed", config.seed()));
        training.put("max_epochs", config.maxEpochs());
        training.put("batch_size", config.batchSize());
        training.put("learning_rate", config.learningRate());
        training.put("weight_decay", config.weightDecay());
        training.put("patience", config.patience());
        training.put("best_epoch", fit.bestEpoch());
        training.put("epochs_run", fit.epochs().size());
        training.put("best_validation_loss", fit.bestLoss());
        training.put("reweigh", config.reweigh());
        training.put("accuracy", Map.of("train", trainAcc, "validation", valAcc, "test", testAcc));
        extra.put("training", training);
        model.save(out, extra);
        writeSplits(out, data, split);
        return new Result(model, data, split, fit.epochs(), fit.bestEpoch(), fit.bestLoss(),
                fit.epochs().size() < config.maxEpochs(), trainAcc, valAcc, testAcc, missing, dropped, cells, seconds);
    }

    /**
     * The rows of each part of {@code split} as {@code data/train.csv}, {@code data/validation.csv}
     * and (when not empty) {@code data/test.csv} under {@code out}, as read.
     */
    static void writeSplits(Path out, CsvTable data, Split split) {
        Path dataDir = out.resolve("data");
        CsvTable.write(dataDir.resolve("train.csv"), data.delimiter(), data.header(), data.subset(split.train()).rows());
        CsvTable.write(dataDir.resolve("validation.csv"), data.delimiter(), data.header(),
                data.subset(split.validation()).rows());
        if (split.test().length > 0) {
            CsvTable.write(dataDir.resolve("test.csv"), data.delimiter(), data.header(), data.subset(split.test()).rows());
        }
    }

    /** Each row's intersection of the values of {@code columns}: "sex=Male, race=White". */
    public static String[] groups(CsvTable t, List<String> columns) {
        int[] cols = columns.stream().mapToInt(t::column).toArray();
        String[] g = new String[t.rows().size()];
        for (int r = 0; r < g.length; r++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < cols.length; k++) {
                if (k > 0) {
                    b.append(", ");
                }
                b.append(columns.get(k)).append('=').append(t.rows().get(r)[cols[k]].strip());
            }
            g[r] = b.toString();
        }
        return g;
    }

    record Fit(List<EpochResult> epochs, int bestEpoch, double bestLoss) {}

    /** The training loop with early stopping; on return {@code net} holds the best epoch's weights. */
    static Fit fit(Sequential net, Tensor xTrain, int[] yTrain, float[] weights, Tensor xVal, int[] yVal, Config config,
            Listener listener) {
        Optimizer opt = new Adam(net.parameters(), config.learningRate(),
                new Adam.Config(0.9, 0.999, 1e-8, config.weightDecay()));
        Rng rng = new Rng(config.seed() + 1);
        int n = yTrain.length;
        int width = xTrain.dim(1);
        int classes = net.parameters().values().stream().reduce((a, b) -> b).orElseThrow().dim(0);
        float[] x = xTrain.contiguous().toFloatArray();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<EpochResult> epochs = new ArrayList<>();
        EarlyStopping stopping = new EarlyStopping(net, config.patience());
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long t0 = System.nanoTime();
            net.train(true);
            rng.shuffle(order);
            double lossSum = 0;
            int steps = 0;
            for (int from = 0; from < n; from += config.batchSize()) {
                int to = Math.min(n, from + config.batchSize());
                int b = to - from;
                float[] xb = new float[b * width];
                int[] yb = new int[b];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(x, order[from + i] * width, xb, i * width, width);
                    yb[i] = yTrain[order[from + i]];
                }
                Tensor logits = net.forward(Tensor.of(xb, b, width));
                Tensor loss;
                if (weights == null) {
                    loss = Losses.crossEntropy(logits, yb);
                } else {
                    float[] w = new float[b * classes];
                    double total = 0;
                    for (int i = 0; i < b; i++) {
                        float wi = weights[order[from + i]];
                        w[i * classes + yb[i]] = wi;
                        total += wi;
                    }
                    loss = logits.logSoftmax(1).mul(Tensor.of(w, b, classes)).sum().scale((float) (-1.0 / total));
                }
                lossSum += EarlyStopping.step(loss, opt, epoch);
                steps++;
            }
            double[] val = lossAndAccuracy(net, xVal, yVal);
            if (stopping.endEpoch(epoch, lossSum / steps, val, t0, epochs, listener)) {
                break;
            }
        }
        stopping.restoreBest();
        return new Fit(List.copyOf(epochs), stopping.bestEpoch(), stopping.bestLoss());
    }

    /** Mean cross-entropy and accuracy of {@code net} on encoded rows. */
    static double[] lossAndAccuracy(Sequential net, Tensor x, int[] y) {
        net.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            Tensor logits = net.forward(x);
            double loss = Losses.crossEntropy(logits, y).item();
            int[] p = logits.argmaxLastDim();
            int correct = 0;
            for (int i = 0; i < y.length; i++) {
                if (p[i] == y[i]) {
                    correct++;
                }
            }
            return new double[] {loss, (double) correct / y.length};
        } finally {
            net.train(true);
        }
    }

    static double accuracy(TabularModel m, Tensor x, int[] y) {
        double[][] p = m.probabilities(x);
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int k = 1; k < p[i].length; k++) {
                if (p[i][k] > p[i][best]) {
                    best = k;
                }
            }
            if (best == y[i]) {
                correct++;
            }
        }
        return (double) correct / y.length;
    }
}
