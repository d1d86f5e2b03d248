package dev.hearth.engine.tokenize;

import java.util.Objects;

/**
 * A token matched as a whole in the input before pre-tokenization, as in the
 * {@code added_tokens} list of a Hugging Face {@code tokenizer.json}. The flags keep Hugging
 * Face's meaning.
 *
 * @param id its id
 * @param content its exact text
 * @param special whether it is a control token ({@code <|endoftext|>}, {@code [CLS]}): special
 *     tokens are matched only when the caller asks ({@link SpecialTokenPolicy}) and can be
 *     skipped when decoding
 * @param singleWord match only when not inside a word (no word character on either side)
 * @param lstrip the match takes in the whitespace to its left
 * @param rstrip the match takes in the whitespace to its right
 * @param normalized match against the normalized text rather than the raw input
 */
public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip,
        boolean rstrip, boolean normalized) {
    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (content.isEmpty()) {
            throw new TokenizerException("an added token cannot be empty (id " + id + ")");
        }
        if (id < 0) {
            throw new TokenizerException("added token '" + content + "' has a negative id " + id);
        }
    }

    /** A special token with Hugging Face's defaults for one: matched on the raw text, no stripping. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, true, false, false, false, false);
    }
}
