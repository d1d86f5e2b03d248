package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;

/**
 * A prepared dataset folder cannot be used: its manifest is missing, unreadable or of an unknown
 * format version, or a shard is missing, the wrong size, or altered. The message names the file
 * and says what to do (usually: prepare the dataset again).
 */
public class DatasetException extends HearthException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
