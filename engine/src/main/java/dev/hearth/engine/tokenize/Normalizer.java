package dev.hearth.engine.tokenize;

/**
 * A text transformation applied before pre-tokenization, as the {@code normalizer} of a
 * {@code tokenizer.json}. Each implementation is a record of Hugging Face's settings and gives
 * the same text as Hugging Face's normalizer of that type.
 */
public sealed interface Normalizer permits UnicodeNormalizer, LowercaseNormalizer, BertNormalizer, NormalizerSequence {
    String normalize(String text);

    /** The identity (a {@code null} normalizer in {@code tokenizer.json}). */
    static Normalizer none() {
        return NormalizerSequence.EMPTY;
    }

    /** Whether this normalizer leaves every text unchanged. */
    default boolean isIdentity() {
        return false;
    }
}
