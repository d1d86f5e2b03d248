package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;

/**
 * The inputs or options of a data preparation cannot be used as given: a path that does not
 * exist, a corrupt gzip file, a CSV without the column asked for, an output folder that already
 * holds a dataset, a corpus with no usable document. The message names the file or option and
 * says what to do. Problems with single documents are not errors: they are skipped and recorded.
 */
public class DataInputException extends HearthException {
    public DataInputException(String message) {
        super(message);
    }

    public DataInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
