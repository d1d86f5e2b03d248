package dev.hearth.lab.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Collects the bytes of one document at a time and hands it to a {@link DocumentSink}: checked
 * as strict UTF-8, whitespace-only documents reported as empty, and documents larger than
 * {@code chunkBytes} handed over in pieces cut at {@link ChunkBoundary safe boundaries}, so that
 * memory holds about one piece however large the document is.
 */
final class DocumentAssembler {
    private final DocumentSink sink;
    private final int chunkBytes;
    private final boolean spacesOnly;
    private byte[] acc = new byte[1 << 13];
    private int size;
    private boolean open;
    private boolean dead;
    private boolean chunked;
    private long index;
    private long line;
    private long offset;       // file offset of acc[0]
    private int searchFrom;

    DocumentAssembler(DocumentSink sink, int chunkBytes, boolean spacesOnly) {
        this.sink = sink;
        this.chunkBytes = chunkBytes;
        this.spacesOnly = spacesOnly;
    }

    /** Starts the next document, which begins at {@code line} (0: it is the whole file) and file offset {@code offset}. */
    void begin(long line, long offset) {
        open = true;
        dead = false;
        chunked = false;
        size = 0;
        searchFrom = 0;
        this.line = line;
        this.offset = offset;
    }

    boolean isOpen() {
        return open;
    }

    void append(byte[] b, int off, int len) {
        if (dead) {
            return;
        }
        if (size + len > acc.length) {
            long want = Math.max((long) size + len, 2L * acc.length);
            if (want > Integer.MAX_VALUE - 16) {
                throw new DataInputException("a document grew past 2 GB without a place where it could be cut into"
                        + " pieces (no letter followed by a space or punctuation): is this text? Split it with"
                        + " --doc-separator");
            }
            acc = Arrays.copyOf(acc, (int) want);
        }
        System.arraycopy(b, off, acc, size, len);
        size += len;
        while (!dead && size > chunkBytes) {
            int cut = ChunkBoundary.find(acc, Math.max(searchFrom, chunkBytes), size, spacesOnly);
            if (cut < 0) {
                searchFrom = Math.max(chunkBytes, size - 8); // the last bytes may become a cut point with more text
                break;
            }
            emit(cut, false);
            if (!dead) {
                System.arraycopy(acc, cut, acc, 0, size - cut);
                size -= cut;
                offset += cut;
                searchFrom = 0;
            }
        }
    }

    /** Ends the current document, if one is open, and moves the index on. */
    void end() {
        if (!open) {
            return;
        }
        if (!dead) {
            emit(size, true);
        }
        open = false;
        size = 0;
        index++;
        if (acc.length > 1 << 20 && acc.length > 4L * chunkBytes) {
            acc = new byte[1 << 13];
        }
    }

    private void emit(int to, boolean last) {
        int bad = Utf8.firstInvalid(acc, 0, to);
        if (bad >= 0) {
            sink.skip(index, location(), SkipReason.INVALID_UTF8, "invalid UTF-8 at byte " + (offset + bad));
            dead = true;
            size = 0;
            return;
        }
        String text = new String(acc, 0, to, StandardCharsets.UTF_8);
        if (last && !chunked && text.isBlank()) {
            sink.skip(index, location(), SkipReason.EMPTY, to == 0 ? "no text" : "only whitespace");
            return;
        }
        sink.text(index, text, to, last);
        chunked = true;
    }

    private String location() {
        return line == 0 ? "file" : "line " + line;
    }
}
