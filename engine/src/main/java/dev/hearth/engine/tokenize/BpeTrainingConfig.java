package dev.hearth.engine.tokenize;

import java.util.List;
import java.util.Objects;

/**
 * What {@link BpeTrainer} trains.
 *
 * @param vocabSize the vocabulary size to reach, special tokens and the 256 byte tokens included
 * @param minFrequency the fewest occurrences a pair needs to be merged (as Hugging Face's
 *     {@code min_frequency}); training stops when the most frequent pair has fewer
 * @param specialTokens special tokens, given ids 0, 1, ... in this order (as Hugging Face's trainer does)
 * @param splitPattern the pre-tokenization regex: {@link SplitPattern#GPT2} gives GPT-2's
 *     {@code ByteLevel} pre-tokenizer; {@link SplitPattern#LLAMA3} or {@link SplitPattern#QWEN2}
 *     a {@code Split} followed by a bytes-only {@code ByteLevel}, as those models' files have
 * @param normalizer applied to each document before splitting, and saved with the tokenizer
 */
public record BpeTrainingConfig(int vocabSize, int minFrequency, List<String> specialTokens, SplitPattern splitPattern,
        Normalizer normalizer) {
    public BpeTrainingConfig {
        specialTokens = List.copyOf(specialTokens);
        Objects.requireNonNull(splitPattern, "splitPattern");
        Objects.requireNonNull(normalizer, "normalizer");
        if (minFrequency < 0) {
            throw new TokenizerException("minFrequency must be 0 or more, not " + minFrequency);
        }
    }

    /** GPT-2's pre-tokenization, no normalizer, no special tokens, pairs merged from 2 occurrences up. */
    public static BpeTrainingConfig gpt2(int vocabSize) {
        return new BpeTrainingConfig(vocabSize, 2, List.of(), SplitPattern.GPT2, Normalizer.none());
    }

    public BpeTrainingConfig withMinFrequency(int min) {
        return new BpeTrainingConfig(vocabSize, min, specialTokens, splitPattern, normalizer);
    }

    public BpeTrainingConfig withSpecialTokens(List<String> tokens) {
        return new BpeTrainingConfig(vocabSize, minFrequency, tokens, splitPattern, normalizer);
    }

    public BpeTrainingConfig withSplitPattern(SplitPattern pattern) {
        return new BpeTrainingConfig(vocabSize, minFrequency, specialTokens, pattern, normalizer);
    }

    public BpeTrainingConfig withNormalizer(Normalizer n) {
        return new BpeTrainingConfig(vocabSize, minFrequency, specialTokens, splitPattern, n);
    }

    ByteLevelPreTokenizer preTokenizer() {
        return splitPattern == SplitPattern.GPT2
                ? new ByteLevelPreTokenizer(List.of(), ByteLevelOptions.GPT2)
                : new ByteLevelPreTokenizer(List.of(splitPattern), ByteLevelOptions.BYTES_ONLY);
    }
}
