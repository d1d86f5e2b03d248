package dev.hearth.lab.data;

/**
 * Which split a document goes to: its hash in {@link SplitMode#DOCUMENT} mode, both in
 * {@link SplitMode#TAIL} mode. Holds a {@link DocumentHash}, so one per thread.
 */
final class SplitAssigner {
    private final SplitMode mode;
    private final double valFraction;
    private final DocumentHash hash;

    SplitAssigner(SplitMode mode, double valFraction, long seed) {
        this.mode = mode;
        this.valFraction = valFraction;
        this.hash = new DocumentHash(seed);
    }

    SplitMode mode() {
        return mode;
    }

    double valFraction() {
        return valFraction;
    }

    /** In document mode, whether document {@code index} of the file with {@code key} is in val; false in tail mode. */
    boolean isValidation(String key, long index) {
        return mode == SplitMode.DOCUMENT && hash.isValidation(key, index, valFraction);
    }
}
