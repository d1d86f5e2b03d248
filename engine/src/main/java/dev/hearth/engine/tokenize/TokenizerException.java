package dev.hearth.engine.tokenize;

import dev.hearth.engine.HearthException;

/**
 * A tokenizer was asked for something it cannot do: text with a character outside its
 * vocabulary, an id it does not have, a special token where the caller did not allow one, or a
 * training request the corpus cannot satisfy. The message names the offending value and its
 * position, and says what to do.
 */
public class TokenizerException extends HearthException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
