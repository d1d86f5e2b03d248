package dev.hearth.engine.generate;

import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * A "model" that knows the text: the logits at position p point (10 against -10) at token
 * {@code script[p + 1]}, so greedy generation from a prefix of the script replays the rest of it.
 * Positions count from each sequence's first real token, as the real models count them.
 */
final class ScriptedModel extends LanguageModel {
    private final int vocab;
    private final int context;
    private final int[] script;

    ScriptedModel(int vocab, int context, int[] script) {
        this.vocab = vocab;
        this.context = context;
        this.script = script.clone();
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return context;
    }

    @Override
    public Tensor forward(int[] ids, int batch, int time, int start, List<KvCache> caches, int[] padding) {
        checkIds(ids, batch, time, start);
        float[] out = new float[batch * time * vocab];
        java.util.Arrays.fill(out, -10f);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int p = start + t - (padding == null ? 0 : padding[b]);
                int next = p + 1 >= 0 && p + 1 < script.length ? script[p + 1] : 0;
                out[(b * time + t) * vocab + next] = 10f;
            }
        }
        return Tensor.of(out, batch, time, vocab);
    }

    @Override
    protected Tensor lookUpTokens(int[] ids, int batch, int time) {
        throw new UnsupportedOperationException("a scripted model has no layers; forward is overridden");
    }

    @Override
    protected Tensor withPositions(Tensor tokens, int[] positions) {
        throw new UnsupportedOperationException("a scripted model has no layers; forward is overridden");
    }

    @Override
    protected Tensor finalNorm(Tensor x) {
        return x;
    }

    @Override
    protected Tensor head(Tensor x) {
        return x;
    }

    @Override
    protected List<TransformerBlock> blocks() {
        return List.of();
    }
}
