package dev.hearth.engine.io;

import dev.hearth.engine.HearthException;
import java.nio.file.Path;

/**
 * A checkpoint file could not be read or written: it is malformed, truncated, holds something
 * other than what was asked for, or the disk refused the write. The message starts with the file
 * (when there is one) and names the tensor and byte range involved.
 */
public final class CheckpointException extends HearthException {
    private final transient Path file;

    /** A problem not tied to a file yet, such as a tensor added twice to a writer. */
    public CheckpointException(String message) {
        super(message);
        this.file = null;
    }

    /** "{file}: {problem}". */
    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file concerned, or null when the problem arose before a file was named. */
    public Path file() {
        return file;
    }
}
