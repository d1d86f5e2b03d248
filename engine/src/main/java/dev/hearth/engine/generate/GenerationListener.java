package dev.hearth.engine.generate;

/**
 * Hears about generation as it happens, on the generating thread. {@code sequence} is the
 * prompt's index in the request.
 */
@FunctionalInterface
public interface GenerationListener {

    /** Listens to nothing. */
    GenerationListener NONE = (sequence, textDelta) -> { };

    /**
     * New text of a sequence, as soon as it is final: never part of an unfinished UTF-8
     * character, never text that a stop sequence may still cut. Never called with "". The
     * deltas of a sequence concatenate to its {@link GenerationResult#text()}.
     */
    void onToken(int sequence, String textDelta);

    /** Every new token id as it is chosen, before its text (which may not be printable yet). */
    default void onTokenId(int sequence, int tokenId) {
    }

    /** A sequence has finished; the others may go on. */
    default void onFinish(int sequence, GenerationResult result) {
    }
}
