package dev.hearth.engine.autograd;

import dev.hearth.engine.HearthException;

/** Misuse of automatic differentiation: backward from a non-scalar, a second backward, and the like. */
public final class AutogradException extends HearthException {
    public AutogradException(String message) {
        super(message);
    }
}
