package dev.hearth.engine.generate;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.TokenizerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Generates text from a causal language model with KV caches: several prompts in one batch,
 * greedy or sampled ({@link SamplingParams}), streamed as it is produced ({@link GenerationListener}).
 *
 * <p>How a batch runs. The prompts are left-padded to the longest (padding id 0, masked by the
 * model) and read together (the prefill), which fills one KV cache per layer and gives each
 * sequence's first token; a long batch is read in chunks of positions so that its logits stay
 * near 16 MiB (only the last position's are used). Then every step feeds each sequence's last
 * token, all sequences together, one position at a time. A sequence that has finished keeps stepping with its last
 * token as a dummy until the whole batch is done (its outputs are ignored): simple, and exact.
 * Positions count from each sequence's first real token, so a prompt gives the same tokens alone
 * or in any batch (up to float rounding of the batched matrix products, far below the gaps between
 * logits that decide a token).
 *
 * <p>The context. A sequence ends ({@link FinishReason#CONTEXT_FULL}) when prompt and new tokens
 * together fill the model's context length, unless {@link PromptOptions#contextShift()} is on: then
 * the model goes on reading only the most recent half of the context (after the BOS token, kept),
 * re-read in a new round as below, and the sequence keeps all its tokens. In a batch, a padded sequence runs out of cache
 * positions earlier than that, by its padding; such sequences then go on in a new round: their
 * tokens so far are read again in a fresh prefill with less padding (the longest of them now has
 * none), and decoding continues with the same random streams. Rounds repeat until every sequence
 * has finished, so no sequence is cut short by its neighbours.
 *
 * <p>Randomness. Sequence i of a request draws from {@code new Rng(seed ^ ((i + 1) * 0x9E3779B97F4A7C15L))},
 * one {@code nextDouble()} per sampled token: the same seed, prompts and model give the same
 * tokens, on any thread count.
 *
 * <p>Runs under {@link Autograd#noGrad()} with the model in evaluation mode (its mode is restored
 * afterwards). Not safe for concurrent use of one model from several threads.
 */
public final class Generator {
    /** Logit floats a prefill chunk may produce (16 MiB), but at least {@link #PREFILL_MIN_ROWS} rows. */
    private static final int PREFILL_LOGITS = 1 << 22;
    private static final int PREFILL_MIN_ROWS = 128;

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final PromptOptions promptOptions;

    public Generator(LanguageModel model, Tokenizer tokenizer) {
        this(model, tokenizer, PromptOptions.PLAIN);
    }

    public Generator(LanguageModel model, Tokenizer tokenizer, PromptOptions promptOptions) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.promptOptions = Objects.requireNonNull(promptOptions, "promptOptions");
    }

    public LanguageModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** One prompt, nothing streamed. */
    public GenerationResult generate(String prompt, SamplingParams params) {
        return generate(List.of(prompt), params, GenerationListener.NONE).getFirst();
    }

    /** Completions of {@code prompts}, in their order, generated as one batch. */
    public List<GenerationResult> generate(List<String> prompts, SamplingParams params, GenerationListener listener) {
        if (prompts.isEmpty()) {
            throw new GenerationException("no prompts were given; pass at least one");
        }
        List<int[]> ids = encodePrompts(prompts, params.maxNewTokens());
        return generateIds(ids, params, listener);
    }

    /**
     * Completions of prompts given as token ids (BOS and truncation are not applied: the ids are
     * used as they are, and must leave room for at least one new token in the context).
     */
    public List<GenerationResult> generateIds(List<int[]> prompts, SamplingParams params, GenerationListener listener) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(listener, "listener");
        if (prompts.isEmpty()) {
            throw new GenerationException("no prompts were given; pass at least one");
        }
        int context = model.contextLength();
        List<Sequence> seqs = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new GenerationException("prompt " + i + " has no tokens: give some text, or a BOS token"
                        + " (PromptOptions.withBos) for the model to start from");
            }
            if (p.length >= context) {
                throw new GenerationException("prompt " + i + " is " + p.length + " tokens but the model's context"
                        + " holds " + context + " with at least one new token; shorten the prompt or allow left"
                        + " truncation (PromptOptions.withTruncateLeft, --truncate)");
            }
            seqs.add(new Sequence(i, p, params, tokenizer, listener, context, promptOptions));
        }
        boolean training = model.isTraining();
        model.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            Sampler sampler = new Sampler(params);
            int vocab = Math.min(model.vocabSize(), tokenizer.vocabSize());
            while (true) {
                List<Sequence> active = seqs.stream().filter(q -> q.finish == null).toList();
                if (active.isEmpty()) {
                    break;
                }
                runRound(active, sampler, vocab);
            }
        } finally {
            model.train(training);
        }
        return seqs.stream().map(q -> q.result).toList();
    }

    /** One prefill of {@code active} and decode steps until each has finished or the cache is full. */
    private void runRound(List<Sequence> active, Sampler sampler, int vocab) {
        int n = active.size();
        int context = model.contextLength();
        int longest = 0;
        int mostNew = 0;
        List<int[]> windows = new ArrayList<>(n);
        for (Sequence q : active) {
            int[] w = q.window();
            windows.add(w);
            longest = Math.max(longest, w.length);
            mostNew = Math.max(mostNew, q.params.maxNewTokens() - q.generated);
        }
        int capacity = (int) Math.min(context, (long) longest + mostNew);
        int[] padding = new int[n];
        int[] ids = new int[n * longest];
        for (int b = 0; b < n; b++) {
            int[] w = windows.get(b);
            padding[b] = longest - w.length;
            System.arraycopy(w, 0, ids, b * longest + padding[b], w.length);
        }
        long t0 = System.nanoTime();
        if (mostNew == 0) {                        // nothing to generate: finish without running the model
            for (Sequence q : active) {
                q.prefilled(t0, t0);
                q.end(FinishReason.MAX_TOKENS, t0);
            }
            return;
        }
        List<KvCache> caches = model.newCaches(n, capacity);
        int vocabAll = model.vocabSize();
        // The prompt goes through in chunks of positions, so that the logits of a long batch (only
        // the last position's are needed) never take more than about PREFILL_LOGITS floats.
        int chunk = Math.max(1, Math.max(PREFILL_MIN_ROWS, PREFILL_LOGITS / vocabAll) / n);
        Tensor logits = null;
        int chunkLength = 0;
        for (int start = 0; start < longest; start += chunk) {
            chunkLength = Math.min(chunk, longest - start);
            int[] part = new int[n * chunkLength];
            for (int b = 0; b < n; b++) {
                System.arraycopy(ids, b * longest + start, part, b * chunkLength, chunkLength);
            }
            logits = model.forward(part, n, chunkLength, start, caches, padding).contiguous();
        }
        long prefillEnd = System.nanoTime();
        int step = longest;                        // the padded position the next fed tokens take
        int[] rowOffset = new int[n];
        for (int b = 0; b < n; b++) {
            rowOffset[b] = logits.offset() + (b * chunkLength + chunkLength - 1) * vocabAll;
        }
        float[] data = logits.data();
        for (Sequence q : active) {
            q.prefilled(t0, prefillEnd);
        }
        int[] next = new int[n];
        while (true) {
            boolean anyLeft = false;
            boolean shifted = false;
            for (int b = 0; b < n; b++) {
                Sequence q = active.get(b);
                if (q.finish == null) {
                    shifted |= q.accept(sampler.next(data, rowOffset[b], vocab, q.seen, q.rng), context);
                }
                anyLeft |= q.finish == null;
                next[b] = q.tokens[q.length - 1];
            }
            if (!anyLeft || step == capacity || shifted) {
                return;                            // unfinished sequences go on in the next round
            }
            logits = model.forward(next, n, 1, step, caches, padding).contiguous();
            data = logits.data();
            for (int b = 0; b < n; b++) {
                rowOffset[b] = logits.offset() + b * vocabAll;
            }
            step++;
        }
    }

    /** The ids of one prompt: BOS (when set), the text's tokens, truncated on the left when allowed. */
    private int[] encodePrompt(int index, String prompt) {
        int[] text;
        try {
            text = tokenizer.encode(prompt, promptOptions.encoding());
        } catch (TokenizerException e) {
            throw new GenerationException("prompt " + index + " cannot be encoded: " + e.getMessage(), e);
        }
        int bos = promptOptions.bosTokenId();
        int[] ids;
        if (bos >= 0) {
            ids = new int[text.length + 1];
            ids[0] = bos;
            System.arraycopy(text, 0, ids, 1, text.length);
        } else {
            ids = text;
        }
        return ids;
    }

    /**
     * The prompts as the model will see them: encoded, with BOS, truncated when the options allow
     * and {@code maxNewTokens} would not fit.
     */
    public List<int[]> encodePrompts(List<String> prompts, int maxNewTokens) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(truncate(encodePrompt(i, prompts.get(i)), maxNewTokens));
        }
        return out;
    }

    private int[] truncate(int[] ids, int maxNewTokens) {
        int context = model.contextLength();
        int keep = context - Math.max(1, Math.min(maxNewTokens, context - 1));
        if (!promptOptions.truncateLeft() || ids.length <= keep) {
            return ids;
        }
        int[] out = new int[keep];
        int head = promptOptions.bosTokenId() >= 0 ? 1 : 0;
        if (head == 1) {
            out[0] = ids[0];
        }
        System.arraycopy(ids, ids.length - (keep - head), out, head, keep - head);
        return out;
    }
}
