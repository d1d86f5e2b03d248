package dev.hearth.lab.tune;

import dev.hearth.engine.HearthException;

/** A search space, a study setting or a study folder that cannot be used; the message names the problem. */
public class TuneException extends HearthException {
    public TuneException(String message) {
        super(message);
    }

    public TuneException(String message, Throwable cause) {
        super(message, cause);
    }
}
