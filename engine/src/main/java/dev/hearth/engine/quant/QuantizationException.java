package dev.hearth.engine.quant;

import dev.hearth.engine.HearthException;

/** A quantized weight or format that cannot be used as asked; the message says what to do instead. */
public class QuantizationException extends HearthException {
    public QuantizationException(String message) {
        super(message);
    }
}
