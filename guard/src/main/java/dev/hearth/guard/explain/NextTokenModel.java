package dev.hearth.guard.explain;

import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * "Why this next token?": a language model and a prompt, explained through the log-probability
 * the model gives one next token (outputs: the vocabulary).
 */
public final class NextTokenModel extends TokenInputs {

    public NextTokenModel(LanguageModel model, int[] ids, List<String> tokens) {
        super(model, ids, tokens);
    }

    /** The next token's log-probabilities (vocab) after the prompt. */
    public double[] nextTokenLogProbabilities() {
        return scores();
    }

    @Override
    protected int outputs() {
        return model.vocabSize();
    }

    @Override
    protected Tensor scoresFromEmbeddings(Tensor embeddings) {
        return lastLogProbabilities(model.forwardFromTokenEmbeddings(embeddings));
    }

    @Override
    protected Tensor scoresFromIds(int[] rows, int n, int time) {
        return lastLogProbabilities(model.forward(rows, n, time));
    }

    /** Logits (n, T, vocab) to the log-probabilities of the last position (n, vocab). */
    private static Tensor lastLogProbabilities(Tensor logits) {
        return logits.narrow(1, logits.dim(1) - 1, 1).reshape(logits.dim(0), logits.dim(2)).logSoftmax(1);
    }
}
