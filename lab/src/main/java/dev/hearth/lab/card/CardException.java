package dev.hearth.lab.card;

import dev.hearth.engine.HearthException;

/** A model card or lineage could not be made; the message says what was missing or wrong. */
public final class CardException extends HearthException {
    public CardException(String message) {
        super(message);
    }

    public CardException(String message, Throwable cause) {
        super(message, cause);
    }
}
