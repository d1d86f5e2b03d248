package dev.hearth.engine.tensor;

import dev.hearth.engine.HearthException;

/** An operation was given tensors whose shapes do not fit together; the message names both. */
public final class ShapeException extends HearthException {
    public ShapeException(String message) {
        super(message);
    }

    /** "{op}: cannot combine shapes (2, 3) and (4, 3): {why}". */
    public static ShapeException of(String op, Shape a, Shape b, String why) {
        return new ShapeException(op + ": shapes " + a + " and " + b + " do not fit: " + why);
    }

    public static ShapeException of(String op, Shape a, String why) {
        return new ShapeException(op + ": shape " + a + ": " + why);
    }
}
