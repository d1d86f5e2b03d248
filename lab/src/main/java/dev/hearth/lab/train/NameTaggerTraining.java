package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.TaggerFolder;
import dev.hearth.engine.models.CharVocabulary;
import dev.hearth.engine.models.TokenTagger;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.guard.pii.LabeledText;
import dev.hearth.guard.pii.ModelNameRecognizer;
import dev.hearth.guard.pii.NerTrainingText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the PERSON/LOCATION tagger ({@code hearth pii train-ner}): labelled sentences from
 * {@link NerTrainingText} (its own templates and name pools, none shared with the evaluation
 * text of {@code hearth pii generate}), a seeded held-out validation set drawn from the same
 * generator with another seed, Adam, early stopping on the validation loss keeping the best
 * epoch, and the folder {@link ModelNameRecognizer#load} reads.
 *
 * <p>While training, each input character is replaced by the unknown id with probability
 * {@code unknownRate}, so the tagger learns to recognise names from their shape and context and
 * not only from characters it has seen.
 */
public final class NameTaggerTraining {
    private static final int IGNORE = -100;

    private NameTaggerTraining() {}

    /**
     * @param records       training sentences
     * @param validation    held-out sentences (same generator, another seed) for early stopping
     * @param chineseShare  share of Chinese sentences in both
     * @param embedDim      character and shape embedding width
     * @param hidden        LSTM hidden size per direction
     * @param maxEpochs     epochs at most
     * @param batchSize     sentences per step
     * @param learningRate  Adam's learning rate
     * @param patience      epochs without a better validation loss before stopping
     * @param unknownRate   probability of replacing an input character by the unknown id in training
     * @param seed          data, initialisation, batch order and character dropout
     */
    public record Config(int records, int validation, double chineseShare, int embedDim, int hidden, int maxEpochs,
                         int batchSize, double learningRate, int patience, double unknownRate, long seed) {
        public Config {
            if (records < 1 || validation < 1 || embedDim < 1 || hidden < 1 || maxEpochs < 1 || batchSize < 1
                    || patience < 1) {
                throw new HearthException("records, validation records, widths, epochs, batch size and patience must"
                        + " all be at least 1");
            }
            if (!(chineseShare >= 0 && chineseShare <= 1) || !(unknownRate >= 0 && unknownRate < 1)) {
                throw new HearthException("the Chinese share must lie in [0, 1] and the unknown rate in [0, 1); got "
                        + chineseShare + " and " + unknownRate);
            }
            if (!(learningRate > 0)) {
                throw new HearthException("the learning rate must be positive, not " + learningRate);
            }
        }

        public static Config defaults() {
            return new Config(4000, 400, 0.4, 32, 48, 8, 32, 1e-2, 2, 0.05, 1);
        }
    }

    public record Result(TokenTagger model, CharVocabulary vocabulary, List<TabularTraining.EpochResult> epochs,
                         int bestEpoch, double bestValidationLoss, double seconds) {}

    public static Result train(Config config, Path out, TabularTraining.Listener listener) {
        long t0 = System.nanoTime();
        List<LabeledText> train = NerTrainingText.generate(config.records(), config.seed(), config.chineseShare());
        List<LabeledText> val = NerTrainingText.generate(config.validation(), config.seed() + 7919, config.chineseShare());
        CharVocabulary vocab = CharVocabulary.fromTexts(train.stream().map(LabeledText::text).toList(), 2);
        Rng rng = new Rng(config.seed());
        TokenTagger model = new TokenTagger(new TokenTagger.Config(vocab.size(), config.embedDim(), config.hidden(),
                ModelNameRecognizer.TAGS.size()), rng);
        Adam opt = new Adam(model.parameters(), config.learningRate(), Adam.Config.defaults());
        EarlyStopping stopping = new EarlyStopping(model, config.patience());
        List<TabularTraining.EpochResult> epochs = new ArrayList<>();
        Rng order = new Rng(config.seed() + 1);
        Rng dropout = new Rng(config.seed() + 2);
        int[] idx = new int[train.size()];
        Arrays.setAll(idx, i -> i);
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long e0 = System.nanoTime();
            model.train(true);
            order.shuffle(idx);
            double lossSum = 0;
            int steps = 0;
            for (int from = 0; from < idx.length; from += config.batchSize()) {
                int n = Math.min(config.batchSize(), idx.length - from);
                List<LabeledText> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(train.get(idx[from + i]));
                }
                Batch b = Batch.of(batch, vocab, config.unknownRate(), dropout);
                Tensor loss = Losses.crossEntropy(model.forward(b.ids, b.shapes, n, b.time, b.lengths), b.tags, IGNORE, 0f);
                lossSum += EarlyStopping.step(loss, opt, epoch);
                steps++;
            }
            double[] v = validate(model, vocab, val, config.batchSize());
            if (stopping.endEpoch(epoch, lossSum / steps, v, e0, epochs, listener)) {
                break;
            }
        }
        stopping.restoreBest();
        model.eval();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("data", "NerTrainingText: its own templates; dictionary names and places minus every value of"
                + " the evaluation generator (hearth pii generate)");
        training.put("records", config.records());
        training.put("validation_records", config.validation());
        training.put("chinese_share", config.chineseShare());
        training.put("seed", config.seed());
        training.put("max_epochs", config.maxEpochs());
        training.put("epochs_run", epochs.size());
        training.put("best_epoch", stopping.bestEpoch());
        training.put("best_validation_loss", stopping.bestLoss());
        training.put("batch_size", config.batchSize());
        training.put("learning_rate", config.learningRate());
        training.put("unknown_rate", config.unknownRate());
        training.put("held_out_values", NerTrainingText.heldOut().size());
        TaggerFolder.save(out, model, vocab, ModelNameRecognizer.TAGS, training);
        return new Result(model, vocab, List.copyOf(epochs), stopping.bestEpoch(), stopping.bestLoss(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** Mean validation loss per tag and the share of code points tagged right. */
    private static double[] validate(TokenTagger model, CharVocabulary vocab, List<LabeledText> val, int batchSize) {
        model.eval();
        double loss = 0;
        long positions = 0;
        long right = 0;
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int from = 0; from < val.size(); from += batchSize) {
                int n = Math.min(batchSize, val.size() - from);
                Batch b = Batch.of(val.subList(from, from + n), vocab, 0, null);
                Tensor logits = model.forward(b.ids, b.shapes, n, b.time, b.lengths);
                int counted = 0;
                for (int t : b.tags) {
                    counted += t == IGNORE ? 0 : 1;
                }
                loss += Losses.crossEntropy(logits, b.tags, IGNORE, 0f).item() * counted;
                positions += counted;
                int[] p = logits.argmaxLastDim();
                for (int i = 0; i < p.length; i++) {
                    right += b.tags[i] != IGNORE && p[i] == b.tags[i] ? 1 : 0;
                }
            }
        } finally {
            model.train(true);
        }
        return new double[] {loss / positions, (double) right / positions};
    }

    /** Sentences right-padded into one batch; padding positions carry the ignored tag. */
    private record Batch(int[] ids, int[] shapes, int[] tags, int[] lengths, int time) {
        static Batch of(List<LabeledText> texts, CharVocabulary vocab, double unknownRate, Rng rng) {
            int n = texts.size();
            int[] lengths = new int[n];
            List<CharVocabulary.Encoded> enc = new ArrayList<>(n);
            int time = 1;
            for (int i = 0; i < n; i++) {
                CharVocabulary.Encoded e = vocab.encode(texts.get(i).text());
                if (e.length() == 0) {
                    throw new HearthException("training record " + texts.get(i).id() + " is empty");
                }
                enc.add(e);
                lengths[i] = e.length();
                time = Math.max(time, e.length());
            }
            int[] ids = new int[n * time];
            int[] shapes = new int[n * time];
            int[] tags = new int[n * time];
            Arrays.fill(tags, IGNORE);
            for (int i = 0; i < n; i++) {
                CharVocabulary.Encoded e = enc.get(i);
                int[] y = ModelNameRecognizer.tags(texts.get(i));
                for (int t = 0; t < e.length(); t++) {
                    ids[i * time + t] = rng != null && rng.nextDouble() < unknownRate ? TokenTagger.UNKNOWN : e.ids()[t];
                    shapes[i * time + t] = e.shapes()[t];
                    tags[i * time + t] = y[t];
                }
            }
            return new Batch(ids, shapes, tags, lengths, time);
        }
    }
}
