package dev.hearth.lab.data;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** What the passes of a preparation learn about one input file. */
final class InputState {
    final InputFile file;
    /** SHA-256 and size from the first pass; later passes must see the same. */
    CorpusReader.FileDigest digest;
    /** Documents the first pass skipped: later passes pass over them. */
    private final BitSet skippedDocuments = new BitSet();
    /** Documents the first pass put in val (document split): later passes need not hash them again. */
    private final BitSet valDocumentSet = new BitSet();
    /** Document -> UTF-16 length, for the documents that came in pieces (tail split, tokenizer training). */
    final Map<Long, Long> chunkedChars = new HashMap<>();
    /** Usable documents found by the first pass. */
    long documents;
    /** Of which in val, in the document split. */
    long valDocuments;
    /** Documents (or the file, as 1) skipped. */
    long skipped;
    /** Documents written by the encoding pass. */
    long written;

    InputState(InputFile file) {
        this.file = file;
    }

    boolean isSkipped(long index) {
        return index <= Integer.MAX_VALUE && skippedDocuments.get((int) index);
    }

    void markSkipped(long index) {
        skippedDocuments.set(checked(index));
    }

    boolean isVal(long index) {
        return index <= Integer.MAX_VALUE && valDocumentSet.get((int) index);
    }

    void markVal(long index) {
        valDocumentSet.set(checked(index));
        valDocuments++;
    }

    private int checked(long index) {
        if (index > Integer.MAX_VALUE) {
            throw new DataInputException(file.display() + " holds more than 2^31 documents; split it into several"
                    + " files");
        }
        return (int) index;
    }
}
