package dev.hearth.guard.pii;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines as raw bytes, so that each line's encoding can be checked on its own and a line too
 * long to hold is measured and skipped rather than read into memory. Keeps each line's terminator
 * ({@code \n}, {@code \r\n}, or none at the end of the file) so it can be written back unchanged.
 */
final class LineReader {
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NONE = {};

    /**
     * One line, valid until the next call. When {@code tooLong}, {@code bytes} holds nothing and
     * {@code length} is the line's true length.
     */
    record Line(byte[] bytes, int length, byte[] terminator, boolean tooLong) {}

    private final InputStream in;
    private final long max;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[8192];

    LineReader(InputStream in, long max) {
        this.in = in;
        this.max = max;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        int n = 0;
        long total = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(chunk, 0, chunk.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (total == 0) {
                        return null;
                    }
                    return tooLong ? new Line(line, clamp(total), NONE, true) : new Line(line, n, NONE, false);
                }
            }
            int nl = -1;
            for (int k = pos; k < limit; k++) {
                if (chunk[k] == '\n') {
                    nl = k;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            int take = end - pos;
            total += take;
            if (!tooLong && total > max) {
                tooLong = true;
            }
            if (!tooLong) {
                if (n + take > line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(Math.max(2L * line.length, n + take), Integer.MAX_VALUE - 16));
                }
                System.arraycopy(chunk, pos, line, n, take);
                n += take;
            }
            pos = end;
            if (nl >= 0) {
                pos = nl + 1;
                if (tooLong) {
                    return new Line(line, clamp(total), LF, true);
                }
                boolean cr = n > 0 && line[n - 1] == '\r';
                return new Line(line, cr ? n - 1 : n, cr ? CRLF : LF, false);
            }
        }
    }

    private static int clamp(long v) {
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
