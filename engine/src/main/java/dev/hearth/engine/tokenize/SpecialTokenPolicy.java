package dev.hearth.engine.tokenize;

/**
 * What {@link Tokenizer#encode(String, EncodeOptions)} does when the text contains the literal
 * content of a special token such as {@code <|endoftext|>} or {@code [SEP]}.
 *
 * <p>Text from users must not be able to smuggle control tokens into a prompt, so nothing is
 * recognised unless the caller asks for it. Added tokens that are <em>not</em> special (words a
 * user added to the vocabulary) are always matched as single ids, as Hugging Face does.
 */
public enum SpecialTokenPolicy {
    /** Encode the characters of special tokens like any other text (the default). */
    TREAT_AS_TEXT,
    /** Encode each occurrence of a special token's content as that token's single id. */
    RECOGNIZE,
    /** Throw a {@link TokenizerException} naming the token and its index when one occurs. */
    REJECT
}
