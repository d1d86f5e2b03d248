package dev.hearth.lab.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads one input file into documents: decompresses {@code .gz}, checks that the start of the
 * file looks like UTF-8 text, drops a UTF-8 byte order mark, and hands the rest to the reader of
 * its format. Hashes the file's bytes as stored on the way, so that every input's SHA-256 costs
 * no extra read.
 *
 * <p>A whole file is skipped (not an error) when it is empty, has a UTF-16/UTF-32 byte order
 * mark, or its first KiB holds a NUL byte or is more than 30% bytes that are not UTF-8 (a binary
 * file, or text in another encoding such as GBK or Latin-1). A gzip file that is not gzip, or is
 * cut short, is an error naming it.
 */
final class CorpusReader {
    static final int SNIFF_BYTES = 1024;
    static final double MAX_INVALID_FRACTION = 0.3;

    /** What was read: the SHA-256 and size of the file as stored. */
    record FileDigest(String sha256, long bytes) {}

    private final ReadingOptions options;
    private final int chunkBytes;
    private final boolean spacesOnly;

    CorpusReader(ReadingOptions options, int chunkBytes, boolean spacesOnly) {
        this.options = options;
        this.chunkBytes = chunkBytes;
        this.spacesOnly = spacesOnly;
    }

    /** Reads {@code file} to its end, telling {@code progress} how many stored bytes were read as it goes. */
    FileDigest read(InputFile file, DocumentSink sink, LongConsumer progress) {
        try (InputStream raw = Files.newInputStream(file.path())) {
            DigestingInputStream stored = new DigestingInputStream(raw, progress);
            if (file.size() == 0) {
                sink.skip(-1, "file", SkipReason.EMPTY, "the file is empty (0 bytes)");
                return new FileDigest(stored.sha256(), 0);
            }
            try {
                InputStream content = file.gzip() ? new GZIPInputStream(stored, 1 << 16) : stored;
                BufferedInputStream in = new BufferedInputStream(content, 1 << 16);
                readContent(file, in, sink);
            } catch (ZipException | EOFException e) {
                if (!file.gzip()) {
                    throw e;
                }
                throw new DataInputException(file.display() + " is not a valid gzip file (" + e.getMessage()
                        + "): it is damaged or cut short; check it with 'gzip -t', and download or compress it again",
                        e);
            }
            stored.drain();
            return new FileDigest(stored.sha256(), stored.count());
        } catch (DataInputException e) {
            if (e.getMessage().startsWith(file.display())) {
                throw e;
            }
            throw new DataInputException(file.display() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DataInputException("cannot read " + file.display() + ": " + e, e);
        }
    }

    private void readContent(InputFile file, BufferedInputStream in, DocumentSink sink) throws IOException {
        in.mark(SNIFF_BYTES + 8);
        byte[] head = in.readNBytes(SNIFF_BYTES);
        in.reset();
        if (head.length == 0) {
            sink.skip(-1, "file", SkipReason.EMPTY, "the file holds no data once decompressed");
            return;
        }
        String wide = wideEncoding(head);
        if (wide != null) {
            sink.skip(-1, "file", SkipReason.WRONG_ENCODING, "the file is " + wide + " (it starts with its byte order"
                    + " mark), not UTF-8; convert it, e.g. iconv -f " + wide + " -t UTF-8");
            return;
        }
        long offset = 0;
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            in.skipNBytes(3);
            offset = 3;
        }
        for (int i = 0; i < head.length; i++) {
            if (head[i] == 0) {
                sink.skip(-1, "file", SkipReason.BINARY, "a NUL byte at byte " + i + ": this is a binary file, not"
                        + " text");
                return;
            }
        }
        int invalid = Utf8.invalidBytes(head, (int) offset, head.length - (int) offset);
        if (invalid > MAX_INVALID_FRACTION * (head.length - offset)) {
            sink.skip(-1, "file", SkipReason.BINARY, String.format(Locale.ROOT,
                    "%d of the first %d bytes are not UTF-8: a binary file, or text in another encoding (if so,"
                            + " convert it, e.g. iconv -f GBK -t UTF-8 or iconv -f LATIN1 -t UTF-8)",
                    invalid, head.length));
            return;
        }
        DocumentReader reader = switch (file.format()) {
            case TXT -> new TextDocumentReader(options.separator(), chunkBytes, spacesOnly);
            case JSONL -> new JsonlDocumentReader(options.field());
            case CSV -> new CsvDocumentReader(options.column(), options.delimiter() == null ? ',' : options.delimiter());
            case TSV -> new CsvDocumentReader(options.column(), options.delimiter() == null ? '\t' : options.delimiter());
        };
        reader.read(in, offset, sink);
    }

    /** "UTF-16LE" and the like when {@code head} starts with a UTF-16 or UTF-32 byte order mark, else null. */
    private static String wideEncoding(byte[] h) {
        int b0 = h[0] & 0xFF;
        int b1 = h.length > 1 ? h[1] & 0xFF : -1;
        boolean fourZeroes = h.length >= 4 && h[2] == 0 && h[3] == 0;
        if (b0 == 0xFF && b1 == 0xFE) {
            return fourZeroes ? "UTF-32LE" : "UTF-16LE";
        }
        if (b0 == 0xFE && b1 == 0xFF) {
            return "UTF-16BE";
        }
        if (h.length >= 4 && b0 == 0 && b1 == 0 && (h[2] & 0xFF) == 0xFE && (h[3] & 0xFF) == 0xFF) {
            return "UTF-32BE";
        }
        return null;
    }
}
