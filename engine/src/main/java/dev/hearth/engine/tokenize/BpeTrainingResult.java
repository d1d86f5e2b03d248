package dev.hearth.engine.tokenize;

import java.util.Locale;

/**
 * A trained tokenizer and where it came from. When the corpus cannot fill the vocabulary asked
 * for, training still succeeds with a smaller one: {@link #vocabSize()} says how large, and
 * {@link #stopReason()} and {@link #summary()} say why.
 *
 * @param tokenizer the trained tokenizer
 * @param config the configuration trained with
 * @param stopReason why merging stopped
 * @param vocabSize the vocabulary size reached (special and byte tokens included)
 * @param merges the number of merges learned
 * @param documents documents read
 * @param bytes UTF-8 bytes read
 * @param words pre-tokenized pieces counted
 * @param distinctWords distinct pieces
 * @param corpusSha256 SHA-256 of the documents' UTF-8 bytes, concatenated in order (hex)
 * @param millis wall-clock training time
 */
public record BpeTrainingResult(ByteLevelBpeTokenizer tokenizer, BpeTrainingConfig config, StopReason stopReason,
        int vocabSize, int merges, long documents, long bytes, long words, int distinctWords, String corpusSha256,
        long millis) {

    /** Why training stopped. */
    public enum StopReason {
        /** The vocabulary reached the size asked for. */
        VOCAB_SIZE_REACHED,
        /** Every word is a single token: no adjacent pair is left to merge. */
        NO_PAIRS_LEFT,
        /** The most frequent pair occurs fewer than {@code minFrequency} times. */
        BELOW_MIN_FREQUENCY
    }

    /** Whether the vocabulary is smaller than asked for. */
    public boolean isSmallerThanRequested() {
        return vocabSize < config.vocabSize();
    }

    /** One line saying what was trained, on what, and, when the vocabulary fell short, why. */
    public String summary() {
        String head = String.format(Locale.ROOT,
                "byte-level BPE: %,d tokens (%,d merges) from %,d document%s, %,d bytes, %,d words (%,d distinct)"
                        + " in %.2f s",
                vocabSize, merges, documents, documents == 1 ? "" : "s", bytes, words, distinctWords, millis / 1000.0);
        return switch (stopReason) {
            case VOCAB_SIZE_REACHED -> head;
            case NO_PAIRS_LEFT -> head + String.format(Locale.ROOT,
                    "; fewer than the %,d asked for: every word of the corpus is already one token, so a larger "
                            + "corpus is needed for a larger vocabulary", config.vocabSize());
            case BELOW_MIN_FREQUENCY -> head + String.format(Locale.ROOT,
                    "; fewer than the %,d asked for: no pair left occurs %d times or more (minFrequency); lower "
                            + "minFrequency or add text", config.vocabSize(), config.minFrequency());
        };
    }
}
