package dev.hearth.lab.data;

import java.util.Objects;

/**
 * How input files become documents.
 *
 * @param separator how .txt files divide into documents
 * @param field the .jsonl field holding the text; dots reach into nested objects ({@code meta.text})
 *     and numbers into arrays ({@code messages.0.content})
 * @param column the .csv/.tsv column (by its header) holding the text
 * @param delimiter the CSV field delimiter, or null for a comma in .csv files and a tab in .tsv files
 */
public record ReadingOptions(DocumentSeparator separator, String field, String column, Character delimiter) {

    public static final ReadingOptions DEFAULTS = new ReadingOptions(DocumentSeparator.NONE, "text", "text", null);

    public ReadingOptions {
        Objects.requireNonNull(separator, "separator");
        if (field == null || field.isEmpty()) {
            throw new DataInputException("the .jsonl field cannot be empty; name the field holding the text, such as"
                    + " --field text");
        }
        if (column == null || column.isEmpty()) {
            throw new DataInputException("the CSV column cannot be empty; name the column holding the text, such as"
                    + " --column text");
        }
        if (delimiter != null && (delimiter > 127 || delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
            throw new DataInputException("the CSV delimiter must be one ASCII character other than a quote or a line"
                    + " break, such as , ; or a tab; got '" + delimiter + "'");
        }
    }

    public ReadingOptions withSeparator(DocumentSeparator s) {
        return new ReadingOptions(s, field, column, delimiter);
    }

    public ReadingOptions withField(String f) {
        return new ReadingOptions(separator, f, column, delimiter);
    }

    public ReadingOptions withColumn(String c) {
        return new ReadingOptions(separator, field, c, delimiter);
    }

    public ReadingOptions withDelimiter(Character d) {
        return new ReadingOptions(separator, field, column, d);
    }
}
