package dev.hearth.lab.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lines of a byte stream, split at {@code \n} (a {@code \r} before it belongs to the terminator),
 * without decoding: UTF-8 never uses the byte {@code \n} inside a character, so splitting bytes
 * is safe, and invalid bytes can be reported with their offset. After {@link #next()} the line is
 * {@code buffer()[start(), start() + length())}, valid until the next call.
 */
final class LineReader {
    /** Lines longer than this are refused: a text file has none, a binary file or a runaway quote may. */
    static final int MAX_LINE_BYTES = 256 << 20;

    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private long bufOffset;          // stream offset of buf[0]

    private int start;
    private int length;
    private int terminator;
    private long number;

    /** Lines of {@code in}, whose first byte is at {@code offset} in the file (for messages). */
    LineReader(InputStream in, long offset) {
        this.in = in;
        this.bufOffset = offset;
    }

    /** Moves to the next line; false at the end of the stream. */
    boolean next() throws IOException {
        int scanFrom = pos;
        while (true) {
            int nl = indexOfNewline(scanFrom, limit);
            if (nl >= 0) {
                start = pos;
                int end = nl;
                terminator = 1;
                if (end > start && buf[end - 1] == '\r') {
                    end--;
                    terminator = 2;
                }
                length = end - start;
                pos = nl + 1;
                number++;
                return true;
            }
            if (eof) {
                if (pos == limit) {
                    return false;
                }
                start = pos;
                length = limit - pos;
                terminator = 0;
                pos = limit;
                number++;
                return true;
            }
            scanFrom = limit - pos;
            fill();
            scanFrom += pos;
        }
    }

    private int indexOfNewline(int from, int to) {
        byte[] b = buf;
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Keeps the unread bytes, moved to the front (growing the buffer when it is full), and reads more. */
    private void fill() throws IOException {
        int kept = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, kept);
            bufOffset += pos;
            pos = 0;
            limit = kept;
        }
        if (limit == buf.length) {
            if (buf.length >= MAX_LINE_BYTES) {
                throw new DataInputException("line " + (number + 1) + " is longer than " + (MAX_LINE_BYTES >> 20)
                        + " MiB: this is not a line-oriented text file (or a CSV quote is never closed); check the"
                        + " file, or split it into lines");
            }
            buf = Arrays.copyOf(buf, Math.min(MAX_LINE_BYTES, buf.length * 2));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    byte[] buffer() {
        return buf;
    }

    int start() {
        return start;
    }

    /** The length of the line without its terminator. */
    int length() {
        return length;
    }

    /** The terminator's length: 1 for {@code \n}, 2 for {@code \r\n}, 0 for a last line without one. */
    int terminatorLength() {
        return terminator;
    }

    /** The line's number, from 1. */
    long number() {
        return number;
    }

    /** The stream offset of the line's first byte. */
    long offset() {
        return bufOffset + start;
    }

    /** Whether the line holds only spaces, tabs and other ASCII whitespace (or nothing). */
    boolean isBlank() {
        for (int i = start, end = start + length; i < end; i++) {
            byte c = buf[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != 0x0B && c != 0x0C) {
                return false;
            }
        }
        return true;
    }
}
