package dev.hearth.lab.data;

import java.util.Locale;

/** The kinds of file a preparation reads, by extension (before an optional {@code .gz}). */
public enum InputFormat {
    /** Plain UTF-8 text: one document, or several by {@link DocumentSeparator}. */
    TXT("txt"),
    /** JSON Lines: one JSON object per line, the text in a chosen field. */
    JSONL("jsonl"),
    /** Comma-separated values (RFC 4180) with a header row, the text in a chosen column. */
    CSV("csv"),
    /** Tab-separated values, read like CSV with a tab as delimiter. */
    TSV("tsv");

    static final String SUPPORTED = ".txt, .jsonl, .ndjson, .csv and .tsv, each optionally gzip-compressed (.gz)";

    private final String id;

    InputFormat(String id) {
        this.id = id;
    }

    /** The name the manifest records: {@code txt}, {@code jsonl}, {@code csv}, {@code tsv}. */
    public String id() {
        return id;
    }

    /** The format of a file name such as {@code a.jsonl.gz}, or null when Hearth does not read it. */
    static InputFormat ofFileName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        return switch (name.substring(dot + 1)) {
            case "txt" -> TXT;
            case "jsonl", "ndjson" -> JSONL;
            case "csv" -> CSV;
            case "tsv" -> TSV;
            default -> null;
        };
    }

    static boolean isGzip(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".gz");
    }
}
