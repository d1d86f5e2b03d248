package dev.hearth.guard.crypto;

import dev.hearth.engine.HearthException;

/** A key is missing, malformed or wrong. */
public class KeyException extends HearthException {
    public KeyException(String message) {
        super(message);
    }

    public KeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
