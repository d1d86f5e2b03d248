package dev.hearth.engine.models;

import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.ops.Views;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Text classification with a causal language model, as Hugging Face's
 * {@code LlamaForSequenceClassification} does it: a linear head ("score") on the final hidden
 * state of each sequence's last real token, the only position that has read the whole text.
 * Sequences of different lengths are right-padded into one batch; with causal attention the
 * padding after a token never changes that token's state, so no mask is needed.
 */
public final class SequenceClassifier extends Module {
    private final LanguageModel model;
    private final Linear score;                       // (classes, dim)

    public SequenceClassifier(LanguageModel model, int classes, Rng rng) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, not " + classes);
        }
        this.model = child("model", model);
        this.score = child("score", new Linear(model.width(), classes, true, rng));
    }

    public LanguageModel languageModel() {
        return model;
    }

    public int classes() {
        return score.outFeatures();
    }

    /**
     * Logits (n, classes) for n whole sequences of the same length given by their token embeddings
     * (n, time, dim): what gradient attributions to tokens differentiate.
     */
    public Tensor forwardFromTokenEmbeddings(Tensor tokenEmbeddings) {
        Tensor h = model.hiddenFromTokenEmbeddings(tokenEmbeddings);                 // (n, T, C)
        int n = h.dim(0);
        return score.forward(h.narrow(1, h.dim(1) - 1, 1).reshape(n, h.dim(2)));
    }

    /**
     * Logits (n, classes) for n sequences laid out right-padded in {@code ids} (n × time, any id
     * after each sequence's end), {@code lengths[i]} real tokens in sequence i (1..time).
     */
    public Tensor forward(int[] ids, int n, int time, int[] lengths) {
        if (lengths.length != n) {
            throw new ShapeException(lengths.length + " lengths for " + n + " sequences");
        }
        Tensor h = model.hidden(ids, n, time, 0, null, null);                    // (n, T, C)
        List<Tensor> last = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 1 || lengths[i] > time) {
                throw new ShapeException("sequence " + i + " has length " + lengths[i] + " in a batch of " + time
                        + " positions");
            }
            last.add(h.narrow(0, i, 1).narrow(1, lengths[i] - 1, 1));           // (1, 1, C)
        }
        Tensor pooled = (n == 1 ? last.getFirst() : Views.concat(last, 0)).reshape(n, h.dim(2)); // (n, C)
        return score.forward(pooled);
    }
}
