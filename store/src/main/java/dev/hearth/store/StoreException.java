package dev.hearth.store;

import dev.hearth.engine.HearthException;

/**
 * A problem with Hearth's database or with what was asked of it: an unreachable server, a database
 * written by a newer Hearth, an unknown model or key, a bad name. The message says what was wrong
 * and what to do.
 */
public class StoreException extends HearthException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
