package dev.hearth.engine.generate;

/**
 * How well a model predicts a text.
 *
 * @param tokens      tokens scored (each exactly once)
 * @param bytes       UTF-8 bytes of the text (all documents)
 * @param totalNll    the sum of the scored tokens' negative log-likelihoods, in nats
 * @param nll         the mean negative log-likelihood per token, in nats ({@code totalNll / tokens})
 * @param perplexity  {@code exp(nll)}
 * @param bitsPerByte {@code totalNll / ln 2 / bytes}: comparable across tokenizers
 * @param windows     forward windows the text was cut into
 * @param seconds     wall time
 */
public record PerplexityResult(long tokens, long bytes, double totalNll, double nll, double perplexity,
                               double bitsPerByte, long windows, double seconds) {

    /** Scored tokens per second. */
    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }
}
