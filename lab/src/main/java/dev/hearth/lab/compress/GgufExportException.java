package dev.hearth.lab.compress;

import dev.hearth.engine.HearthException;

/** A model that cannot be exported to GGUF as asked; the message says why and what to do instead. */
public class GgufExportException extends HearthException {
    public GgufExportException(String message) {
        super(message);
    }
}
