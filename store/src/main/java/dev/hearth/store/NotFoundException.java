package dev.hearth.store;

/** What was asked for (a model, alias, version or key) is not in the store; the message lists what is. */
public class NotFoundException extends StoreException {
    public NotFoundException(String message) {
        super(message);
    }
}
