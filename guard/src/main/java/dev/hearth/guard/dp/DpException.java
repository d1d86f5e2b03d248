package dev.hearth.guard.dp;

import dev.hearth.engine.HearthException;

/** A differential-privacy question that cannot be answered as asked: a bad parameter or an unreachable target. */
public class DpException extends HearthException {
    public DpException(String message) {
        super(message);
    }
}
