package dev.hearth.engine.io;

import dev.hearth.engine.HearthException;

/** A GGUF file that cannot be written or read as asked; the message names the key, tensor or byte at fault. */
public class GgufException extends HearthException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
