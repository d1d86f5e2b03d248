package dev.hearth.engine.generate;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.Tokenizer;
import java.util.Arrays;
import java.util.BitSet;

/**
 * One sequence being generated: its tokens, random stream, streamed text, stop rules and result.
 * {@link Generator} runs a batch of them; a serving scheduler runs them with
 * {@link dev.hearth.engine.models.LanguageModel#forwardEach} and admits new ones between steps.
 * The caller feeds each sampled token to {@link #accept} until {@link #finish()} is set.
 */
public final class Sequence {
    final int index;
    final SamplingParams params;
    final GenerationListener listener;
    final Rng rng;
    final BitSet seen = new BitSet();
    final StreamingDecoder text;
    final int promptLength;
    final boolean contextShift;
    /** Tokens kept at the head of the window when the context shifts (the BOS token). */
    final int head;
    int[] tokens;
    int length;
    /** The model reads tokens[0, head) then tokens[windowStart, length); 0 until the context shifts. */
    int windowStart;
    int generated;
    FinishReason finish;
    GenerationResult result;
    long prefillStart;
    long prefillEnd;
    boolean prefillSet;

    public Sequence(int index, int[] prompt, SamplingParams params, Tokenizer tokenizer, GenerationListener listener,
             int context, PromptOptions options) {
        this.index = index;
        this.contextShift = options.contextShift();
        this.head = options.bosTokenId() >= 0 && prompt[0] == options.bosTokenId() ? 1 : 0;
        this.params = params;
        this.listener = listener;
        this.rng = new Rng(params.seed() ^ ((index + 1) * 0x9E3779B97F4A7C15L));
        this.text = new StreamingDecoder(tokenizer, params.stopSequences());
        this.promptLength = prompt.length;
        this.tokens = Arrays.copyOf(prompt, Math.min(context, prompt.length + Math.max(16, params.maxNewTokens())));
        this.length = prompt.length;
        for (int t : prompt) {
            seen.set(t);
        }
    }

    /** The tokens the model reads in the next prefill. */
    int[] window() {
        if (windowStart == 0) {
            return Arrays.copyOf(tokens, length);
        }
        int[] w = new int[head + length - windowStart];
        System.arraycopy(tokens, 0, w, 0, head);
        System.arraycopy(tokens, windowStart, w, head, length - windowStart);
        return w;
    }

    /** Records the first prefill this sequence took part in (a later round's counts as decoding). */
    public void prefilled(long start, long end) {
        if (!prefillSet) {
            prefillStart = start;
            prefillEnd = end;
            prefillSet = true;
        }
    }

    /** Takes a new token; returns true when the context shifted (the window must be read again). */
    public boolean accept(int token, int context) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, 2 * length);
        }
        tokens[length++] = token;
        generated++;
        seen.set(token);
        listener.onTokenId(index, token);
        if (params.stopTokenIds().contains(token)) {
            end(FinishReason.EOS, System.nanoTime());
            return false;
        }
        emit(text.push(token));
        if (text.stopped()) {
            end(FinishReason.STOP_SEQUENCE, System.nanoTime());
        } else if (generated >= params.maxNewTokens()) {
            end(FinishReason.MAX_TOKENS, System.nanoTime());
        } else if (head + length - Math.max(windowStart, head) >= context) {
            if (!contextShift || context - head < 2) {
                end(FinishReason.CONTEXT_FULL, System.nanoTime());
                return false;
            }
            windowStart = length - (context - head) / 2;
            return true;
        }
        return false;
    }

    public void end(FinishReason reason, long now) {
        finish = reason;
        emit(text.finish());
        double prefill = (prefillEnd - prefillStart) / 1e9;
        double decode = generated > 1 ? (now - prefillEnd) / 1e9 : 0;
        var t = new GenerationTimings(prefill, promptLength, decode, Math.max(0, generated - 1));
        result = new GenerationResult(text.text(), Arrays.copyOfRange(tokens, promptLength, length),
                promptLength, generated, reason, t);
        listener.onFinish(index, result);
    }

    /** The reason it ended, or null while it runs. */
    public FinishReason finish() {
        return finish;
    }

    /** The result, once it has ended. */
    public GenerationResult result() {
        return result;
    }

    /** The last token, the one the next decode step feeds. */
    public int lastToken() {
        return tokens[length - 1];
    }

    /** Tokens so far, prompt included. */
    public int length() {
        return length;
    }

    /** Draws the next token from logits {@code data[offset, offset + vocab)}. */
    public int sample(Sampler sampler, float[] data, int offset, int vocab) {
        return sampler.next(data, offset, vocab, seen, rng);
    }

    private void emit(String delta) {
        if (!delta.isEmpty()) {
            listener.onToken(index, delta);
        }
    }
}
