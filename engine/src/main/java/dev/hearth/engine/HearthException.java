package dev.hearth.engine;

/**
 * The root of every error Hearth reports to a user. The message says what was wrong and, where
 * there is one, what to do about it; subclasses name the kind of problem.
 */
public class HearthException extends RuntimeException {
    public HearthException(String message) {
        super(message);
    }

    public HearthException(String message, Throwable cause) {
        super(message, cause);
    }
}
