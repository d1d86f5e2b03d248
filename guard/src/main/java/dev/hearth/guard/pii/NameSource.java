package dev.hearth.guard.pii;

import java.util.Locale;

/**
 * Where PERSON and LOCATION findings come from: the dictionaries with rules and context (the
 * default), a trained name model ({@link ModelNameRecognizer}), or both, their overlaps resolved
 * as every other overlap is (higher score, then longer span).
 */
public enum NameSource {
    DICTIONARIES, MODEL, BOTH;

    public static NameSource parse(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PiiException("'" + name + "' is not a name source; use dictionaries, model or both");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
