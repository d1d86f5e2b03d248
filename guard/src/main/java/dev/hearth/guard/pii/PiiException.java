package dev.hearth.guard.pii;

import dev.hearth.engine.HearthException;

/** Bad input to personal-data detection or anonymization: a policy, a file, a label set. */
public class PiiException extends HearthException {
    public PiiException(String message) {
        super(message);
    }

    public PiiException(String message, Throwable cause) {
        super(message, cause);
    }
}
