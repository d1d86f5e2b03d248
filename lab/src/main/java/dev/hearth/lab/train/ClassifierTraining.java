package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.nn.Layer;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.optim.Optimizer;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.guard.dp.DpSgd;
import dev.hearth.guard.dp.PrivacyAccountant;
import dev.hearth.lab.data.ImageSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains an image classifier with Adam on shuffled mini-batches and measures test accuracy after
 * every epoch; or, {@link #runPrivately privately}, with DP-SGD: Poisson-sampled batches, each image's
 * gradient clipped, Gaussian noise, and the epsilon spent reported after every epoch. Progress goes to a
 * listener; nothing is printed.
 */
public final class ClassifierTraining {

    /** @param seed fixes the shuffling (the model's weights are fixed by the Rng it was built with) */
    public record Config(int epochs, int batchSize, double learningRate, long seed) {
        public Config {
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new HearthException("training needs epochs >= 1, batch size >= 1 and a positive learning rate;"
                        + " got " + epochs + ", " + batchSize + ", " + learningRate);
            }
        }
    }

    /** Told about every step and every epoch. */
    public interface Listener {
        default void onStep(int epoch, int step, int stepsPerEpoch, double loss) {}

        default void onEpoch(EpochResult result) {}
    }

    /** @param epsilon the privacy spent so far by a private run (at its plan's delta), NaN for an ordinary one */
    public record EpochResult(int epoch, double trainLoss, double testAccuracy, double seconds, double epsilon) {}

    public record Result(List<EpochResult> epochs, double testAccuracy, double seconds) {}

    private final Config config;

    public ClassifierTraining(Config config) {
        this.config = config;
    }

    public Result run(Layer model, ImageSet train, ImageSet test, Listener listener) {
        Optimizer opt = new Adam(model.parameters(), config.learningRate(), Adam.Config.defaults());
        Rng rng = new Rng(config.seed());
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int steps = (train.count() + config.batchSize() - 1) / config.batchSize();
        List<EpochResult> epochs = new ArrayList<>();
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            model.train(true);
            rng.shuffle(order);
            double lossSum = 0;
            for (int s = 0; s < steps; s++) {
                int from = s * config.batchSize();
                int to = Math.min(train.count(), from + config.batchSize());
                ImageSet.Batch batch = train.batch(order, from, to);
                Tensor loss = Losses.crossEntropy(model.forward(batch.images()), batch.labels());
                loss.backward();
                opt.step();
                opt.zeroGrad();
                double l = loss.item();
                if (!Double.isFinite(l)) {
                    throw new HearthException("the training loss became " + l + " at epoch " + epoch + ", step " + (s + 1)
                            + "; lower the learning rate");
                }
                lossSum += l;
                listener.onStep(epoch, s + 1, steps, l);
            }
            double accuracy = accuracy(model, test);
            EpochResult r = new EpochResult(epoch, lossSum / steps, accuracy, (System.nanoTime() - epochStart) / 1e9,
                    Double.NaN);
            epochs.add(r);
            listener.onEpoch(r);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(List.copyOf(epochs), epochs.getLast().testAccuracy(), seconds);
    }

    /**
     * Steps of a private run of this config over {@code examples} images: {@code epochs} times the steps of one
     * pass at the expected batch size (Poisson batches have the configured size on average).
     */
    public long privateSteps(int examples) {
        return (long) config.epochs() * Math.max(1, Math.round((double) examples / config.batchSize()));
    }

    /**
     * Trains with DP-SGD as {@code dp} plans it ({@code dp.plan().steps()} steps, split into the configured epochs)
     * and reports after each epoch the epsilon spent so far, by {@code accountant}. A step's loss is NaN when its
     * Poisson sample happened to be empty (the step is still taken: its gradient is pure noise).
     */
    public Result runPrivately(Layer model, ImageSet train, ImageSet test, DpSgd dp, PrivacyAccountant accountant,
            Listener listener) {
        if (dp.plan().examples() != train.count()) {
            throw new HearthException("the privacy plan is for " + dp.plan().examples() + " examples but the training"
                    + " set holds " + train.count());
        }
        Optimizer opt = new Adam(model.parameters(), config.learningRate(), Adam.Config.defaults());
        long total = dp.plan().steps();
        List<EpochResult> epochs = new ArrayList<>();
        long start = System.nanoTime();
        long done = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            int steps = (int) (total * epoch / config.epochs() - done);
            model.train(true);
            double lossSum = 0;
            int lossCount = 0;
            for (int s = 0; s < steps; s++) {
                int[] sample = dp.sampleBatch();
                double l = Double.NaN;
                if (sample.length > 0) {
                    ImageSet.Batch batch = train.batch(sample, 0, sample.length);
                    Tensor logits = model.forward(batch.images());
                    Tensor loss = Losses.crossEntropy(logits, batch.labels());
                    dp.backward(loss, logits, sample.length);
                    l = loss.item();
                    if (!Double.isFinite(l)) {
                        throw new HearthException("the training loss became " + l + " at epoch " + epoch + ", step "
                                + (s + 1) + "; lower the learning rate");
                    }
                    lossSum += l;
                    lossCount++;
                }
                dp.addNoise();
                opt.step();
                opt.zeroGrad();
                listener.onStep(epoch, s + 1, steps, l);
            }
            done += steps;
            double accuracy = accuracy(model, test);
            EpochResult r = new EpochResult(epoch, lossCount == 0 ? Double.NaN : lossSum / lossCount, accuracy,
                    (System.nanoTime() - epochStart) / 1e9, dp.spent(accountant).epsilon());
            epochs.add(r);
            listener.onEpoch(r);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(List.copyOf(epochs), epochs.getLast().testAccuracy(), seconds);
    }

    /** Share of images whose highest logit is the right class, in evaluation mode without gradients. */
    public static double accuracy(Layer model, ImageSet data) {
        model.eval();
        int[] all = new int[data.count()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int correct = 0;
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int from = 0; from < data.count(); from += 500) {
                int to = Math.min(data.count(), from + 500);
                ImageSet.Batch b = data.batch(all, from, to);
                int[] predicted = model.forward(b.images()).argmaxLastDim();
                for (int i = 0; i < predicted.length; i++) {
                    if (predicted[i] == b.labels()[i]) {
                        correct++;
                    }
                }
            }
        }
        model.train(true);
        return data.count() == 0 ? Double.NaN : (double) correct / data.count();
    }
}
