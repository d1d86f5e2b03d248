package dev.hearth.lab.data;

/**
 * Receives the documents of one input file, in order. A document arrives whole, or, when it is
 * large, as several pieces of text ({@code last} false on all but the final one) cut where every
 * tokenizer Hearth reads gives the same ids as for the whole text (see {@link ChunkBoundary}).
 * Index numbers count every document of the file, skipped ones included, from 0.
 */
interface DocumentSink {

    /** Text of document {@code index}: valid Unicode, {@code utf8Bytes} long in UTF-8. */
    void text(long index, String text, int utf8Bytes, boolean last);

    /**
     * Document {@code index} is left out ({@code index} -1: the whole file). It may follow pieces
     * of the same document already given, when a fault is found late in a large document.
     */
    void skip(long index, String location, SkipReason reason, String detail);
}
