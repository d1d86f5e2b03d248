package dev.hearth.lab.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Documents of a CSV or TSV file: the first record is the header, and each later record's field
 * in the chosen column is a document (record {@code i} after the header is document {@code i}).
 * A header without the column is an error naming the columns there are; a record with another
 * number of fields than the header, or with broken quoting, is skipped with its place.
 * Only the chosen field must be UTF-8: the others are not read.
 */
final class CsvDocumentReader implements DocumentReader {
    private final String column;
    private final char delimiter;

    CsvDocumentReader(String column, char delimiter) {
        this.column = column;
        this.delimiter = delimiter;
    }

    @Override
    public void read(InputStream in, long offset, DocumentSink sink) throws IOException {
        CsvRowReader rows = new CsvRowReader(in, offset, delimiter);
        if (!rows.next()) {
            sink.skip(-1, "file", SkipReason.EMPTY, "no header row");
            return;
        }
        List<String> header = new ArrayList<>();
        for (int f = 0; f < rows.fieldCount(); f++) {
            int bad = Utf8.firstInvalid(rows.bytes(), rows.start(f), rows.length(f));
            if (bad >= 0) {
                throw new DataInputException("the header row has invalid UTF-8 at byte "
                        + (rows.offset(f) + bad - rows.start(f)) + "; save the file as UTF-8");
            }
            header.add(new String(rows.bytes(), rows.start(f), rows.length(f), StandardCharsets.UTF_8).strip());
        }
        int col = header.indexOf(column);
        if (col < 0) {
            throw new DataInputException("has no column '" + column + "'; its columns are " + quoted(header)
                    + (header.size() == 1 && delimiter == ',' && header.get(0).contains(";")
                            ? " (one column holding ';': is the delimiter ';'? say so with --delimiter ';')" : "")
                    + "; choose one with --column");
        }
        if (header.lastIndexOf(column) != col) {
            throw new DataInputException("has the column '" + column + "' twice in its header " + quoted(header)
                    + "; rename one of them");
        }
        int columns = header.size();
        long index = 0;
        while (rows.next()) {
            long i = index++;
            if (rows.error() != null) {
                sink.skip(i, where(i, rows), SkipReason.BAD_QUOTING, rows.error());
                continue;
            }
            if (rows.fieldCount() != columns) {
                sink.skip(i, where(i, rows), SkipReason.WRONG_COLUMN_COUNT,
                        "the record has " + rows.fieldCount() + " field" + (rows.fieldCount() == 1 ? "" : "s")
                                + ", the header " + columns);
                continue;
            }
            byte[] b = rows.bytes();
            int bad = Utf8.firstInvalid(b, rows.start(col), rows.length(col));
            if (bad >= 0) {
                sink.skip(i, where(i, rows), SkipReason.INVALID_UTF8,
                        "invalid UTF-8 at byte " + (rows.offset(col) + bad - rows.start(col)));
                continue;
            }
            String text = new String(b, rows.start(col), rows.length(col), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                sink.skip(i, where(i, rows), SkipReason.EMPTY, text.isEmpty() ? "no text" : "only whitespace");
                continue;
            }
            sink.text(i, text, rows.length(col), true);
        }
    }

    private static String where(long index, CsvRowReader rows) {
        return "record " + (index + 1) + " (line " + rows.line() + ")";
    }

    private static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.isEmpty() ? "" : ", ").append('\'').append(n).append('\'');
        }
        return sb.toString();
    }
}
