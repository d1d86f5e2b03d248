package dev.hearth.engine.models;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.nn.Positions;
import dev.hearth.engine.nn.StepBuffers;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A causal language model: token ids in, next-token logits out. Training calls
 * {@link #forward(int[], int, int)} on whole sequences; generation calls
 * {@link #forward(int[], int, int, int, List, int[])} with KV caches, a few tokens at a time, and
 * continuous batching {@link #forwardEach} with one set of caches per sequence. A model supplies
 * its embedding, blocks, final norm and head; the forward passes are written once, here.
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
    public Tensor forward(int[] ids, int batch, int time, int start, List<KvCache> caches, int[] padding) {
        return head(hidden(ids, batch, time, start, caches, padding));
    }

    /**
     * The final hidden states (batch, time, dim), normalised, before the output head: what
     * embeddings are pooled from. Same arguments as {@link #forward(int[], int, int, int, List, int[])}.
     */
    public Tensor hidden(int[] ids, int batch, int time, int start, List<KvCache> caches, int[] padding) {
        checkIds(ids, batch, time, start);
        Tensor x = embed(ids, batch, time, Positions.of(batch, time, start, padding));      // (B, T, C)
        return finalNorm(blocks(x, start, caches, padding));
    }

    private Tensor blocks(Tensor x, int start, List<KvCache> caches, int[] padding) {
        List<TransformerBlock> blocks = blocks();
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, start, caches == null ? null : caches.get(i), padding);
        }
        return x;
    }

    /** The width of its hidden states (the embedding dimension). */
    public int width() {
        try (dev.hearth.engine.autograd.Autograd.Scope s = dev.hearth.engine.autograd.Autograd.noGrad()) {
            return lookUpTokens(new int[] {0}, 1, 1).dim(2);
        }
    }

    /**
     * The token embeddings (batch, time, dim) of ids, before any position information: the input
     * space in which gradient attributions (integrated gradients, saliency) to tokens are taken.
     */
    public Tensor tokenEmbeddings(int[] ids, int batch, int time) {
        checkIds(ids, batch, time, 0);
        return lookUpTokens(ids, batch, time);
    }

    /**
     * Logits (batch, time, vocab) for sequences given by their token embeddings (batch, time, dim)
     * at positions 0..time-1 rather than by ids: {@link #forward(int[], int, int)} with the lookup
     * replaced, differentiable with respect to {@code tokenEmbeddings}.
     */
    public Tensor forwardFromTokenEmbeddings(Tensor tokenEmbeddings) {
        return head(hiddenFromTokenEmbeddings(tokenEmbeddings));
    }

    /**
     * The final hidden states (batch, time, dim) for sequences given by their token embeddings:
     * {@link #hidden} with the lookup replaced, differentiable with respect to {@code tokenEmbeddings}.
     */
    public Tensor hiddenFromTokenEmbeddings(Tensor tokenEmbeddings) {
        if (tokenEmbeddings.rank() != 3) {
            throw dev.hearth.engine.tensor.ShapeException.of("token embeddings", tokenEmbeddings.shape(),
                    "must be (batch, time, dim)");
        }
        int batch = tokenEmbeddings.dim(0);
        int time = tokenEmbeddings.dim(1);
        if (time > contextLength()) {
            throw new dev.hearth.engine.HearthException(time + " positions exceed the model's context length "
                    + contextLength() + "; shorten the input");
        }
        Tensor x = withPositions(tokenEmbeddings, Positions.of(batch, time, 0, null));
        return finalNorm(blocks(x, 0, null, null));
    }

    /**
     * The attention probabilities of every layer for one sequence: layer l's tensor is
     * (heads, time, time), row i holding how much query position i attends to each key position
     * (zero after i: the model is causal). What attention-map explanations show.
     */
    public List<Tensor> attentionMaps(int[] ids) {
        checkIds(ids, 1, ids.length, 0);
        List<Tensor> maps = new ArrayList<>();
        try (dev.hearth.engine.autograd.Autograd.Scope s = dev.hearth.engine.autograd.Autograd.noGrad()) {
            Tensor x = embed(ids, 1, ids.length, Positions.of(1, ids.length, 0, null));
            for (TransformerBlock block : blocks()) {
                maps.add(block.attentionWeights(x).select(0, 0));
                x = block.forward(x, 0, null, null);
            }
        }
        return maps;
    }

    /**
     * Most of a prompt's tokens that {@link #forwardLast} reads in one pass on rows: the few-row
     * products ({@code Gemm.smallRows}) take up to this many, and give each row the same chain of
     * multiply-adds as a lone row (past it the blocked product would, for a weight whose inner
     * dimension is cut into blocks, sum in another order).
     */
    public static final int PROMPT_ROWS = Gemm.SMALL_ROWS;

    /**
     * Logits (1, 1, vocab) of the last position only, for one sequence whose next tokens ids are
     * read into {@code caches} (batch 1) after what they already hold (nothing, or a prefix
     * another prompt left): a prompt's prefill, which needs only the next token's distribution
     * (the head is the widest matrix of a small model; this skips it for every other position).
     * Without gradients (and with no observer on a projection) the tokens go through the blocks
     * as rows, {@link #PROMPT_ROWS} at a time, each appending to the caches in turn and attending
     * to them up to itself, as decode steps do. A frozen model ({@link #freezeForInference}) so
     * leaves the caches and logits of reading the tokens one by one, bit for bit, whatever the
     * prompt's length and however much of it the caches held: a prefix copied from another
     * prompt's caches ({@link KvCache#slice}) gives what reading it would.
     */
    public Tensor forwardLast(int[] ids, List<KvCache> caches) {
        int t = ids.length;
        int start = caches.isEmpty() ? 0 : caches.getFirst().length();
        if (t >= 1 && !caches.isEmpty() && onRows()) {
            checkIds(ids, 1, t, start);
            Tensor h = null;
            for (int from = 0; from < t; from += PROMPT_ROWS) {
                int rows = Math.min(PROMPT_ROWS, t - from);
                int[] positions = new int[rows];
                for (int r = 0; r < rows; r++) {
                    positions[r] = start + from + r;
                }
                h = throughBlocks(Arrays.copyOfRange(ids, from, from + rows), positions,
                        Collections.nCopies(rows, caches), true);                               // (rows, 1, C)
            }
            return head(finalNorm(h.narrow(0, h.dim(0) - 1, 1)));
        }
        Tensor h = hidden(ids, 1, t, start, caches, null);                               // (1, T, C)
        return head(h.narrow(1, t - 1, 1));
    }

    /**
     * Logits (n, 1, vocab) for one new token of each of n independent sequences, the decode step
     * of continuous batching: sequence i has its own caches ({@code caches.get(i)}, one per layer,
     * each of batch 1, from {@link #newCaches}) holding its earlier tokens, and its new token takes
     * the next position of those caches. The projections and the MLP run on all n rows together;
     * only attention reads each sequence's own cache.
     *
     * <p>A sequence may bring several new tokens (a prompt read in the same step as the others'
     * next tokens, so the weights are streamed once for all of them): its rows are consecutive, in
     * order, and give the same list of caches (the same object); each reads the caches up to itself.
     * Logits come for the last row of each sequence only, one row per sequence in order. Up to
     * {@link #PROMPT_ROWS} rows a frozen model gives every sequence the bits of reading its tokens
     * alone, one by one.
     */
    public Tensor forwardEach(int[] ids, List<List<KvCache>> caches) {
        int n = ids.length;
        if (caches.size() != n) {
            throw new dev.hearth.engine.HearthException(n + " tokens were given with caches for " + caches.size()
                    + " rows; give one cache list per row");
        }
        int[] positions = new int[n];
        int[] lastRows = new int[n];                                    // the rows whose logits are wanted
        int sequences = 0;
        Set<List<KvCache>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < n; i++) {
            List<KvCache> c = caches.get(i);
            boolean continues = i > 0 && caches.get(i - 1) == c;
            if (!continues && !seen.add(c)) {
                throw new dev.hearth.engine.HearthException("rows " + i + " and an earlier one share caches but are"
                        + " not next to each other: give a sequence's new tokens as consecutive rows");
            }
            positions[i] = continues ? positions[i - 1] + 1 : c.getFirst().length();
            checkIds(new int[] {ids[i]}, 1, 1, positions[i]);
            if (i + 1 == n || caches.get(i + 1) != c) {
                lastRows[sequences++] = i;
            }
        }
        Tensor h = throughBlocks(ids, positions, caches, onRows());                             // (n, 1, C)
        if (sequences < n) {                                            // the head for those rows only
            Tensor all = h.contiguous();
            int c = all.dim(2);
            float[] last = new float[sequences * c];
            for (int j = 0; j < sequences; j++) {
                System.arraycopy(all.data(), all.offset() + lastRows[j] * c, last, j * c, c);
            }
            h = Tensor.of(last, sequences, 1, c);
        }
        return head(finalNorm(h));
    }

    /**
     * Row i (token ids[i], at positions[i]) through the blocks, appending its key and value to
     * {@code caches.get(i)} (one per layer) and attending to all that cache then holds: (n, 1, C),
     * before the final norm. Rows may share a cache (a prompt's tokens, in order). With
     * {@code rowsInPlace} (where {@link #onRows} allows it) the blocks work on the rows in place, in
     * buffers the step reuses: the same bits as a tensor per operation, without allocating one
     * (450 KB a step of 8 sequences of the demo model) and walking it through the cache.
     */
    private Tensor throughBlocks(int[] ids, int[] positions, List<List<KvCache>> caches, boolean rowsInPlace) {
        int n = ids.length;
        Tensor x = embed(ids, n, 1, positions);                                              // (n, 1, C)
        List<TransformerBlock> blocks = blocks();
        float[] rows = rowsInPlace ? x.contiguous().toFloatArray() : null;
        StepBuffers buffers = rowsInPlace ? new StepBuffers() : null;
        List<KvCache> layerCaches = new ArrayList<>(n);
        for (int l = 0; l < blocks.size(); l++) {
            layerCaches.clear();
            for (List<KvCache> c : caches) {
                layerCaches.add(c.get(l));
            }
            if (rowsInPlace) {
                blocks.get(l).forwardEachRows(n, rows, positions, layerCaches, buffers);
            } else {
                x = blocks.get(l).forwardEach(x, positions, layerCaches);
            }
        }
        return rowsInPlace ? Tensor.of(rows, x.shape().toArray()) : x;
    }

    /** Whether the blocks may run on raw rows ({@link TransformerBlock#forwardEachRows}): no gradient, no observer. */
    private boolean onRows() {
        return !Autograd.isEnabled() && blocks().stream().allMatch(TransformerBlock::runsOnRows);
    }

    /**
     * Token (and, where the model has them, position) embeddings (batch, time, dim);
     * {@code positions} has one entry per time step, shared by the batch, or one per token
     * (batch-major), as {@link Positions#of} gives.
     */
    private Tensor embed(int[] ids, int batch, int time, int[] positions) {
        return withPositions(lookUpTokens(ids, batch, time), positions);
    }

    /** The token embedding table's rows for ids: (batch, time, dim). */
    protected abstract Tensor lookUpTokens(int[] ids, int batch, int time);

    /**
     * Adds what the model knows of positions to token embeddings (batch, time, dim): learned
     * position embeddings for GPT-2; nothing for Llama, whose attention rotates by position.
     */
    protected abstract Tensor withPositions(Tensor tokens, int[] positions);

    /** The normalisation after the last block. */
    protected abstract Tensor finalNorm(Tensor x);

    /** The output head: hidden states (B, T, C) to logits (B, T, vocab). */
    protected abstract Tensor head(Tensor x);

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
