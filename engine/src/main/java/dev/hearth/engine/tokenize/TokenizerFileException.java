package dev.hearth.engine.tokenize;

import java.nio.file.Path;

/**
 * A {@code tokenizer.json} (or BERT {@code vocab.txt}) could not be read or written: it is not
 * JSON, a required field is missing, a value is malformed or inconsistent, or it describes a
 * component Hearth does not implement. The message reads {@code "{file}: {field}: {problem}"},
 * where the field is a JSON path such as {@code model.merges[12]} or
 * {@code pre_tokenizer.pretokenizers[0].pattern.Regex}.
 */
public final class TokenizerFileException extends TokenizerException {
    private final transient Path file;
    private final String field;

    public TokenizerFileException(Path file, String field, String problem) {
        super(describe(file, field, problem));
        this.file = file;
        this.field = field;
    }

    public TokenizerFileException(Path file, String field, String problem, Throwable cause) {
        super(describe(file, field, problem), cause);
        this.file = file;
        this.field = field;
    }

    private static String describe(Path file, String field, String problem) {
        String where = file == null ? "tokenizer.json" : file.toString();
        return field == null || field.isEmpty() ? where + ": " + problem : where + ": " + field + ": " + problem;
    }

    /** The file concerned, or null when the JSON came from a string. */
    public Path file() {
        return file;
    }

    /** The JSON path of the offending field, or null when the problem is the whole file. */
    public String field() {
        return field;
    }
}
