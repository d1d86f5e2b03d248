package dev.hearth.lab.compress;

import dev.hearth.engine.HearthException;

/** A pruning request that cannot be carried out; the message says what was wrong and what to do. */
public final class PruningException extends HearthException {
    public PruningException(String message) {
        super(message);
    }
}
