package dev.hearth.engine.generate;

/** Hears how far a {@link Perplexity} evaluation has got, after each batch of windows. */
@FunctionalInterface
public interface PerplexityListener {

    PerplexityListener NONE = (windows, tokens) -> { };

    /** {@code windows} windows and {@code tokens} tokens have been scored so far. */
    void onProgress(long windows, long tokens);
}
