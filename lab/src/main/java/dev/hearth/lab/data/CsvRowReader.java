package dev.hearth.lab.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Records of an RFC 4180 file, read as bytes (quotes, delimiters and line breaks are ASCII, which
 * UTF-8 never uses inside a character): fields separated by the delimiter; a field that starts
 * with {@code "} is quoted, may hold delimiters and line breaks, and writes a quote as
 * {@code ""}; records end with {@code \n} or {@code \r\n} outside quotes. Lenient where RFC 4180
 * is silent: a quote inside an unquoted field is an ordinary character, and empty lines are not
 * records. A record with a quoted field followed by other characters, or a quote never closed,
 * is returned with {@link #error()} set.
 */
final class CsvRowReader {
    static final int MAX_ROW_BYTES = 64 << 20;

    private final InputStream in;
    private final byte delimiter;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private long bufOffset;

    private byte[] row = new byte[1 << 12];
    private int rowSize;
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private long[] offsets = new long[16];
    private int fields;
    private long line = 1;        // the line the reader is on
    private long rowLine;
    private String error;

    CsvRowReader(InputStream in, long offset, char delimiter) {
        this.in = in;
        this.delimiter = (byte) delimiter;
        this.bufOffset = offset;
    }

    /** Reads the next record; false at the end of the file. */
    boolean next() throws IOException {
        while (true) {
            int r = readRecord();
            if (r < 0) {
                return false;
            }
            if (r > 0) {
                return true;
            }
        }
    }

    /** -1 at the end, 0 for an empty line (not a record), 1 for a record. */
    private int readRecord() throws IOException {
        rowSize = 0;
        fields = 0;
        error = null;
        rowLine = line;
        int c = read();
        if (c < 0) {
            return -1;
        }
        if (c == '\n') {
            line++;
            return 0;
        }
        if (c == '\r' && peek() == '\n') {
            read();
            line++;
            return 0;
        }
        while (true) {
            // at the start of a field, c is its first byte (or -1, '\n', delimiter)
            startField(c == '"' ? 0 : 1);
            if (c == '"') {
                long quoteLine = line;
                while (true) {
                    c = read();
                    if (c < 0) {
                        error = "a quoted field opened on line " + quoteLine + " is never closed";
                        endField();
                        return 1;
                    }
                    if (c == '"') {
                        if (peek() == '"') {
                            read();
                            put('"');
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        line++;
                    }
                    put(c);
                }
                endField();
                c = read();
                if (c == '\r' && peek() == '\n') {
                    c = read();
                }
                if (c != delimiter && c != '\n' && c >= 0) {
                    error = "a quoted field is followed by '" + (char) c + "' on line " + line
                            + " instead of a delimiter or the end of the line";
                    // resynchronise at the end of the line
                    while (c >= 0 && c != '\n') {
                        c = read();
                    }
                }
            } else {
                while (c >= 0 && c != delimiter && c != '\n') {
                    put(c);
                    c = read();
                }
                if (c == '\n' && rowSize > starts[fields] && row[rowSize - 1] == '\r') {
                    rowSize--;
                }
                endField();
            }
            if (c == delimiter) {
                c = read();
                if (c < 0 || c == '\n' || (c == '\r' && peek() == '\n')) {
                    if (c == '\r') {
                        read();
                        c = '\n';
                    }
                    startField(0);
                    endField();
                    if (c == '\n') {
                        line++;
                    }
                    return 1;
                }
                continue;
            }
            if (c == '\n') {
                line++;
            }
            return 1;
        }
    }

    /** Starts a field whose text begins {@code back} bytes before the read position. */
    private void startField(int back) {
        if (fields == starts.length) {
            starts = Arrays.copyOf(starts, fields * 2);
            ends = Arrays.copyOf(ends, fields * 2);
            offsets = Arrays.copyOf(offsets, fields * 2);
        }
        starts[fields] = rowSize;
        offsets[fields] = bufOffset + pos - back;
    }

    private void endField() {
        ends[fields] = rowSize;
        fields++;
    }

    private void put(int c) {
        if (rowSize == row.length) {
            if (row.length >= MAX_ROW_BYTES) {
                throw new DataInputException("the record starting on line " + rowLine + " is longer than "
                        + (MAX_ROW_BYTES >> 20) + " MiB: probably a quote that is never closed; check the file");
            }
            row = Arrays.copyOf(row, Math.min(MAX_ROW_BYTES, row.length * 2));
        }
        row[rowSize++] = (byte) c;
    }

    private int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    private int peek() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos] & 0xFF;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        bufOffset += limit;
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        limit = n;
        return true;
    }

    int fieldCount() {
        return fields;
    }

    byte[] bytes() {
        return row;
    }

    int start(int field) {
        return starts[field];
    }

    int length(int field) {
        return ends[field] - starts[field];
    }

    /** About where field {@code field}'s text starts in the file (for messages). */
    long offset(int field) {
        return offsets[field];
    }

    /** The line the record starts on, from 1. */
    long line() {
        return rowLine;
    }

    /** What is wrong with the record's quoting, or null. */
    String error() {
        return error;
    }
}
