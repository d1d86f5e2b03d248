package dev.hearth.engine.generate;

/**
 * Where one sequence's generation time went. The prompt is read in one forward pass for the
 * whole batch (the prefill), which also gives the first new token; every later token costs one
 * decode step, shared by the batch.
 *
 * @param prefillSeconds wall time of the batch's prefill forward pass (and its first tokens)
 * @param prefillTokens  this sequence's prompt tokens
 * @param decodeSeconds  wall time from the first new token to this sequence's last
 * @param decodeTokens   tokens this sequence gained in that time (its new tokens but the first)
 */
public record GenerationTimings(double prefillSeconds, int prefillTokens, double decodeSeconds, int decodeTokens) {

    /** Prompt tokens per second of prefill (this sequence's share of a batch counts whole). */
    public double prefillTokensPerSecond() {
        return prefillSeconds > 0 ? prefillTokens / prefillSeconds : 0;
    }

    /** New tokens per second after the first one (0 when there was no decode step). */
    public double decodeTokensPerSecond() {
        return decodeSeconds > 0 ? decodeTokens / decodeSeconds : 0;
    }
}
