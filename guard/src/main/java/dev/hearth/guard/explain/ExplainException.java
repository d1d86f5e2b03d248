package dev.hearth.guard.explain;

import dev.hearth.engine.HearthException;

/** An explanation could not be made: a bad input, target or setting; the message says which. */
public final class ExplainException extends HearthException {
    public ExplainException(String message) {
        super(message);
    }
}
