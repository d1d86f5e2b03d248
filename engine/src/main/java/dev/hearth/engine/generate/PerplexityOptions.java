package dev.hearth.engine.generate;

/**
 * How {@link Perplexity} cuts a text into windows.
 *
 * @param stride      positions between the starts of consecutive windows: 0 (the default) means the context
 *                    length, i.e. non-overlapping windows; a smaller stride overlaps them, and each scored token
 *                    then sees at least {@code context - stride} tokens of left context (more work, lower
 *                    perplexity, closer to how the model is used)
 * @param batch       windows per forward pass; 0 chooses as many as keep the logits near 64 MiB
 * @param prefixToken a token put before every document so that its first token is scored too (GPT-2's
 *                    {@code <|endoftext|>}, a Llama BOS), or -1 for none: then the first token of each
 *                    document has no context and is not scored
 */
public record PerplexityOptions(int stride, int batch, int prefixToken) {

    /** Non-overlapping windows, automatic batch, no prefix token. */
    public static final PerplexityOptions DEFAULTS = new PerplexityOptions(0, 0, -1);

    public PerplexityOptions {
        if (stride < 0) {
            throw new GenerationException("the stride must be >= 1 (or 0 for the context length), got " + stride);
        }
        if (batch < 0) {
            throw new GenerationException("the batch must be >= 1 (or 0 for automatic), got " + batch);
        }
    }

    public PerplexityOptions withStride(int s) {
        return new PerplexityOptions(s, batch, prefixToken);
    }

    public PerplexityOptions withBatch(int b) {
        return new PerplexityOptions(stride, b, prefixToken);
    }

    public PerplexityOptions withPrefixToken(int id) {
        return new PerplexityOptions(stride, batch, id);
    }
}
