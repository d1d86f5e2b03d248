package dev.hearth.guard.fairness;

import dev.hearth.engine.HearthException;

/** Bad input to a fairness report: a missing column, a third label value, an empty group set. */
public class FairnessException extends HearthException {
    public FairnessException(String message) {
        super(message);
    }
}
