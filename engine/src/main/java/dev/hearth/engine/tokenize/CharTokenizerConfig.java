package dev.hearth.engine.tokenize;

import java.util.List;

/**
 * What {@link CharTokenizer#train} builds besides the characters of the corpus.
 *
 * @param unknownToken the token that stands for characters not in the corpus (such as
 *     {@code <unk>}), or null to make them an error
 * @param specialTokens special tokens, such as {@code <|endoftext|>}
 */
public record CharTokenizerConfig(String unknownToken, List<String> specialTokens) {
    /** nanoGPT's {@code shakespeare_char}: the characters and nothing else. */
    public static final CharTokenizerConfig CHARACTERS_ONLY = new CharTokenizerConfig(null, List.of());

    public CharTokenizerConfig {
        specialTokens = List.copyOf(specialTokens);
        if (unknownToken != null && unknownToken.isEmpty()) {
            throw new TokenizerException("the unknown token cannot be empty; use null for none, or a name like <unk>");
        }
    }

    public CharTokenizerConfig withUnknownToken(String token) {
        return new CharTokenizerConfig(token, specialTokens);
    }

    public CharTokenizerConfig withSpecialTokens(List<String> tokens) {
        return new CharTokenizerConfig(unknownToken, tokens);
    }
}
