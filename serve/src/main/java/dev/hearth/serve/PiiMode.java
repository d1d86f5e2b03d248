package dev.hearth.serve;

import java.util.Locale;

/** What the server does about personal data in prompts and answers; see {@link PiiGuard}. */
public enum PiiMode {
    /** Nothing. */
    OFF,
    /** Count it in the metrics, by type. */
    LOG,
    /** Replace it by its type tag in prompts and answers. */
    REDACT,
    /** Refuse prompts that hold it; redact answers. */
    BLOCK;

    public static PiiMode parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.hearth.engine.HearthException("--pii is off, log, redact or block, not '" + s + "'");
        }
    }
}
