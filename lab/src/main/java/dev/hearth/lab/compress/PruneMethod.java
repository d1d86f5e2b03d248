package dev.hearth.lab.compress;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@link Pruner} chooses what to remove. The first three zero single weights of every linear
 * layer in the transformer blocks (the matrices keep their shape); the last two delete whole
 * attention heads or feed-forward channels, so the matrices shrink.
 */
public enum PruneMethod {
    /** Smallest |W_ij| go to zero. */
    MAGNITUDE("magnitude", false),
    /** Smallest |W_ij| * ||X_j||_2 go to zero, X_j the layer's j-th input over the calibration tokens (Wanda). */
    WANDA("wanda", false),
    /** In every group of 4 consecutive input weights of a row, the 2 with the lowest score go to zero. */
    SEMI_2_4("2:4", false),
    /** Whole attention heads (whole key/value groups under grouped-query attention) are removed. */
    HEADS("heads", true),
    /** Whole SwiGLU channels (rows of gate/up, columns of down) are removed. */
    CHANNELS("channels", true);

    private final String id;
    private final boolean structured;

    PruneMethod(String id, boolean structured) {
        this.id = id;
        this.structured = structured;
    }

    public String id() {
        return id;
    }

    /** Whether the method deletes rows and columns (true) or zeroes weights in place (false). */
    public boolean structured() {
        return structured;
    }

    /** The method named {@code id} ("magnitude", "wanda", "2:4", "heads", "channels"), case-insensitive. */
    public static PruneMethod parse(String id) {
        for (PruneMethod m : values()) {
            if (m.id.equalsIgnoreCase(id.trim())) {
                return m;
            }
        }
        throw new PruningException("--method " + id + " is not a pruning method; use one of "
                + Arrays.stream(values()).map(PruneMethod::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
