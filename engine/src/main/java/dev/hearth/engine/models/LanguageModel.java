package dev.hearth.engine.models;

import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A causal language model: token ids in, next-token logits out. Training calls
 * {@link #forward(int[], int, int)} on whole sequences; generation calls
 * {@link #forward(int[], int, int, int, List, int[])} with KV caches, a few tokens at a time.
 */
public abstract class LanguageModel extends Module {

    public abstract int vocabSize();

    /** The longest sequence the model can attend over (the position table or cache size). */
    public abstract int contextLength();

    /** Logits (batch, time, vocab) for ids laid out batch-major, {@code batch * time} of them. */
    public Tensor forward(int[] ids, int batch, int time) {
        return forward(ids, batch, time, 0, null, null);
    }

    /**
     * Logits (batch, time, vocab) for time steps {@code start..start+time-1}. With
     * {@code caches} (one per layer, from {@link #newCaches}) the keys and values of earlier steps
     * come from the caches and the new ones are added. {@code padding} gives, per sequence, how
     * many of its leading steps are padding (left-padded prompts), or is null.
     */
    public abstract Tensor forward(int[] ids, int batch, int time, int start, List<KvCache> caches, int[] padding);

    /** The transformer blocks, in order. */
    protected abstract List<TransformerBlock> blocks();

    /** Empty KV caches, one per layer, for {@code batch} sequences of up to {@code capacity} steps. */
    public List<KvCache> newCaches(int batch, int capacity) {
        List<KvCache> caches = new ArrayList<>();
        for (TransformerBlock b : blocks()) {
            caches.add(b.attention().newCache(batch, Math.min(capacity, contextLength())));
        }
        return caches;
    }

    /** Checks ids against the vocabulary and the shape, naming the first bad one. */
    protected final void checkIds(int[] ids, int batch, int time, int start) {
        if (ids.length != batch * time) {
            throw new dev.hearth.engine.HearthException(ids.length + " token ids do not fill a batch of " + batch + " x "
                    + time);
        }
        if (start + time > contextLength()) {
            throw new dev.hearth.engine.HearthException("positions " + start + ".." + (start + time - 1)
                    + " exceed the model's context length " + contextLength() + "; shorten the input");
        }
        int v = vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new dev.hearth.engine.HearthException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (0.." + (v - 1) + "); was the text encoded with this model's"
                        + " tokenizer?");
            }
        }
    }
}
