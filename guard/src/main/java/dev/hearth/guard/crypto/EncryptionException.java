package dev.hearth.guard.crypto;

import dev.hearth.engine.HearthException;

/** Encrypting, decrypting or rotating could not be done: the paths are wrong or the disk refused. */
public final class EncryptionException extends HearthException {
    public EncryptionException(String message) {
        super(message);
    }

    public EncryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
