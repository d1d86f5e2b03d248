package dev.hearth.store;

/**
 * A key just created, with its secret. The secret is shown to the user once and never stored; only
 * its SHA-256 is.
 */
public record CreatedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "CreatedKey[key=" + key + ", secret=<hidden>]";
    }
}
