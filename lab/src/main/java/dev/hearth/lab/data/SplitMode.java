package dev.hearth.lab.data;

import java.util.Locale;

/** How a preparation divides text between the train and val splits. */
public enum SplitMode {
    /**
     * Whole documents: document {@code i} of the file with key {@code k} goes to val when
     * {@link DocumentHash#unit} of (seed, k, i) is below the val fraction. Adding, removing or
     * editing other files moves no document of this one.
     */
    DOCUMENT,
    /**
     * The last {@code val_fraction} of every document's tokens go to val, the rest to train
     * (nanoGPT's split of Tiny Shakespeare). For a corpus that is one document, or a few.
     */
    TAIL;

    /** {@code document} or {@code tail}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SplitMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "document" -> DOCUMENT;
            case "tail" -> TAIL;
            default -> throw new DataInputException("unknown split mode '" + s + "': use 'document' (whole documents"
                    + " to val by a hash) or 'tail' (the end of every document to val)");
        };
    }
}
