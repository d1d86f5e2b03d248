package dev.hearth.guard.crypto;

import dev.hearth.engine.HearthException;

/**
 * An encrypted file fails its authentication check: it was modified, truncated, extended or
 * damaged after it was written. None of its unverified bytes were returned.
 */
public final class IntegrityException extends HearthException {
    public IntegrityException(String message) {
        super(message);
    }
}
