package dev.hearth.guard.explain;

import dev.hearth.engine.models.SequenceClassifier;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/** "Why this class?": a text classifier and a text, explained through a class's log-probability. */
public final class TextClassifierModel extends TokenInputs {
    private final SequenceClassifier classifier;

    public TextClassifierModel(SequenceClassifier classifier, int[] ids, List<String> tokens) {
        super(classifier.languageModel(), ids, tokens);
        this.classifier = classifier;
    }

    /** The classes' log-probabilities for the text. */
    public double[] classLogProbabilities() {
        return scores();
    }

    @Override
    protected int outputs() {
        return classifier.classes();
    }

    @Override
    protected Tensor scoresFromEmbeddings(Tensor embeddings) {
        return classifier.forwardFromTokenEmbeddings(embeddings).logSoftmax(1);
    }

    @Override
    protected Tensor scoresFromIds(int[] rows, int n, int time) {
        int[] lengths = new int[n];
        java.util.Arrays.fill(lengths, time);
        return classifier.forward(rows, n, time, lengths).logSoftmax(1);
    }
}
