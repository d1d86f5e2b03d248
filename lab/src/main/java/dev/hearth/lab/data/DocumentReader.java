package dev.hearth.lab.data;

import java.io.IOException;
import java.io.InputStream;

/** Reads the documents of one file format from a decompressed stream of UTF-8 bytes. */
interface DocumentReader {

    /**
     * Reads {@code in} to its end.
     *
     * @param offset the stream offset of the first byte of {@code in} (3 after a byte order mark), for messages
     */
    void read(InputStream in, long offset, DocumentSink sink) throws IOException;
}
