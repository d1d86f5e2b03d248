package dev.hearth.lab.data;

/**
 * Why a file or a document was left out of a dataset. {@link #key()} is the short, stable name
 * the manifest counts by ({@code skipped.by_reason}); each record adds the details.
 */
public enum SkipReason {
    /** A file with no bytes, or a document with only whitespace. */
    EMPTY("empty"),
    /** A file with NUL bytes or mostly invalid UTF-8 at its start: not text, or text in another encoding. */
    BINARY("binary"),
    /** A file in UTF-16 or UTF-32 (it starts with their byte order mark). */
    WRONG_ENCODING("not UTF-8"),
    /** A document with a byte sequence that is not UTF-8; the record gives its offset. */
    INVALID_UTF8("invalid UTF-8"),
    /** A JSON string with an unpaired surrogate escape such as {@code \ud800}: not Unicode text. */
    INVALID_UNICODE("invalid Unicode"),
    /** A .jsonl line that is not one JSON value. */
    NOT_JSON("not JSON"),
    /** A .jsonl line without the field asked for (or with null there). */
    MISSING_FIELD("missing field"),
    /** A .jsonl line whose field is a number, object or array instead of a string. */
    NOT_TEXT("field not a string"),
    /** A CSV row with more or fewer fields than the header. */
    WRONG_COLUMN_COUNT("wrong number of columns"),
    /** A CSV row with a quote in the wrong place or never closed. */
    BAD_QUOTING("bad CSV quoting"),
    /** A file in a folder whose type Hearth does not read (not .txt, .jsonl, .ndjson, .csv, .tsv). */
    UNSUPPORTED_FILE("unsupported file type"),
    /** A document the tokenizer could not encode (a character outside a fixed vocabulary). */
    NOT_ENCODABLE("not encodable");

    private final String key;

    SkipReason(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
