package dev.hearth.engine.generate;

import dev.hearth.engine.HearthException;

/** Generation or scoring could not run as asked: the message says what was wrong and what to do. */
public class GenerationException extends HearthException {
    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
