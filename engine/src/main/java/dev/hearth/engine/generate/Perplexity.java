package dev.hearth.engine.generate;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.TokenizerException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Perplexity and bits per byte of a model on a text, as Hugging Face's guide "Perplexity of
 * fixed-length models" computes them.
 *
 * <p>Each document is encoded on its own (a document never sees another's tokens), optionally
 * after a prefix token ({@link PerplexityOptions#prefixToken()}). Token {@code t[j]} is predicted
 * from the logits at position {@code j - 1}, so every token but the first is a target. A model
 * reads at most L tokens (its context length), so a long document is cut into windows: window w
 * reads tokens {@code [w*S, min(w*S + L, N - 1))} (S the stride) and scores the targets after
 * those the previous window scored. With S = L (the default) the windows do not overlap and a
 * token at offset i of its window is predicted from i tokens of context; with S < L the windows
 * overlap and every token after the first window has at least L - S tokens of context, at about
 * L / S times the work. Every target is scored exactly once either way.
 *
 * <p>Results: the mean negative log-likelihood per scored token (nats), perplexity = exp of it,
 * and bits per byte = total NLL / ln 2 / UTF-8 bytes of the documents, which does not depend on
 * the tokenizer. Without a prefix token the first token of each document is not scored but its
 * bytes are counted, so bits per byte is then slightly low for short documents.
 *
 * <p>Several windows run in one forward pass (right-padded to the longest; a causal model's
 * earlier positions never see the padding). Log-softmax is taken in double precision.
 */
public final class Perplexity {
    /** Logit floats a batch may produce when the batch is automatic (64 MiB). */
    private static final long AUTO_BATCH_LOGITS = 1L << 24;

    private final LanguageModel model;
    private final Tokenizer tokenizer;

    public Perplexity(LanguageModel model, Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Scores one document. */
    public PerplexityResult evaluate(String text, PerplexityOptions options) {
        return evaluate(List.of(text), options);
    }

    /** Scores documents, each on its own; totals over all of them. */
    public PerplexityResult evaluate(Iterable<String> documents, PerplexityOptions options) {
        return evaluate(documents, options, PerplexityListener.NONE);
    }

    /** As {@link #evaluate(Iterable, PerplexityOptions)}, telling {@code listener} after each batch. */
    public PerplexityResult evaluate(Iterable<String> documents, PerplexityOptions options,
                                     PerplexityListener listener) {
        long start = System.nanoTime();
        int context = model.contextLength();
        int stride = options.stride() == 0 ? context : options.stride();
        if (stride > context) {
            throw new GenerationException("the stride " + stride + " is longer than the context " + context
                    + ": tokens between windows would never be scored; use a stride of at most " + context);
        }
        int batch = options.batch() > 0 ? options.batch()
                : (int) Math.max(1, Math.min(64, AUTO_BATCH_LOGITS / ((long) context * model.vocabSize())));
        Totals totals = new Totals();
        List<Window> pending = new ArrayList<>();
        boolean training = model.isTraining();
        model.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            int doc = 0;
            for (String text : documents) {
                totals.bytes += text.getBytes(StandardCharsets.UTF_8).length;
                int[] ids = encode(doc++, text, options.prefixToken());
                int scored = 0;                                 // targets 1..scored are done
                for (int b = 0; scored < ids.length - 1; b += stride) {
                    int e = Math.min(b + context, ids.length - 1);
                    pending.add(new Window(ids, b, e, scored + 1));
                    scored = e;
                    if (pending.size() == batch) {
                        score(pending, totals);
                        pending.clear();
                        listener.onProgress(totals.windows, totals.tokens);
                    }
                }
            }
            if (!pending.isEmpty()) {
                score(pending, totals);
                listener.onProgress(totals.windows, totals.tokens);
            }
        } finally {
            model.train(training);
        }
        if (totals.tokens == 0) {
            throw new GenerationException("the text has fewer than two tokens, so nothing can be scored; give a"
                    + " longer text" + (options.prefixToken() < 0 ? " or a prefix token (BOS)" : ""));
        }
        double nll = totals.nll / totals.tokens;
        return new PerplexityResult(totals.tokens, totals.bytes, totals.nll, nll, Math.exp(nll),
                totals.bytes == 0 ? 0 : totals.nll / Math.log(2) / totals.bytes, totals.windows,
                (System.nanoTime() - start) / 1e9);
    }

    private int[] encode(int doc, String text, int prefix) {
        int[] ids;
        try {
            ids = tokenizer.encode(text);
        } catch (TokenizerException e) {
            throw new GenerationException("document " + doc + " cannot be encoded: " + e.getMessage(), e);
        }
        if (prefix < 0) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = prefix;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /**
     * Window over {@code ids}: inputs {@code [begin, end)}, targets {@code [from, end]} (each
     * target j predicted from position j - 1).
     */
    private record Window(int[] ids, int begin, int end, int from) {
        int length() {
            return end - begin;
        }
    }

    private static final class Totals {
        double nll;
        long tokens;
        long bytes;
        long windows;
    }

    private void score(List<Window> windows, Totals totals) {
        int n = windows.size();
        int time = 0;
        for (Window w : windows) {
            time = Math.max(time, w.length());
        }
        int[] ids = new int[n * time];                   // right-padded with id 0
        for (int b = 0; b < n; b++) {
            Window w = windows.get(b);
            System.arraycopy(w.ids(), w.begin(), ids, b * time, w.length());
        }
        Tensor logits = model.forward(ids, n, time).contiguous();
        float[] data = logits.data();
        int base = logits.offset();
        int vocab = model.vocabSize();
        int t = time;
        // rows to score, then their NLLs in parallel (one row each), summed in order
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            Window w = windows.get(b);
            for (int j = w.from(); j <= w.end(); j++) {
                rows.add(new int[] {base + (b * t + (j - 1 - w.begin())) * vocab, w.ids()[j]});
            }
        }
        double[] nll = new double[rows.size()];
        ComputePool.shared().parallelFor(rows.size(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                nll[r] = negativeLogLikelihood(data, rows.get(r)[0], vocab, rows.get(r)[1]);
            }
        });
        for (double v : nll) {
            totals.nll += v;
        }
        totals.tokens += nll.length;
        totals.windows += n;
    }

    /** -log softmax(row)[target] in double precision. */
    static double negativeLogLikelihood(float[] row, int offset, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, row[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(row[offset + i] - max);
        }
        return Math.log(sum) + max - row[offset + target];
    }
}
