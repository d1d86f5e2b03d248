package dev.hearth.engine.io;

import dev.hearth.engine.HearthException;

/** A file is encrypted at rest and nothing on the class path can read it. */
public final class EncryptedFileException extends HearthException {
    public EncryptedFileException(String message) {
        super(message);
    }
}
