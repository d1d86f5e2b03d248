package dev.hearth.lab.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Documents of a .txt file by a {@link DocumentSeparator}: the whole file (exactly its bytes,
 * line ends included), each line (without its line end), paragraphs, or records between
 * separator lines (a document then ends before the line end that precedes the separator).
 * Line ends inside a document are kept as they are ({@code \n} or {@code \r\n}).
 */
final class TextDocumentReader implements DocumentReader {
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    private final DocumentSeparator separator;
    private final int chunkBytes;
    private final boolean spacesOnly;

    TextDocumentReader(DocumentSeparator separator, int chunkBytes, boolean spacesOnly) {
        this.separator = separator;
        this.chunkBytes = chunkBytes;
        this.spacesOnly = spacesOnly;
    }

    @Override
    public void read(InputStream in, long offset, DocumentSink sink) throws IOException {
        LineReader lines = new LineReader(in, offset);
        DocumentAssembler doc = new DocumentAssembler(sink, chunkBytes, spacesOnly);
        byte[] literal = separator.kind() == DocumentSeparator.Kind.LITERAL
                ? separator.literal().getBytes(StandardCharsets.UTF_8) : null;
        int previousTerminator = 0;
        while (lines.next()) {
            byte[] b = lines.buffer();
            switch (separator.kind()) {
                case NONE -> {
                    if (!doc.isOpen()) {
                        doc.begin(0, lines.offset());
                    }
                    doc.append(b, lines.start(), lines.length() + lines.terminatorLength());
                }
                case LINE -> {
                    doc.begin(lines.number(), lines.offset());
                    doc.append(b, lines.start(), lines.length());
                    doc.end();
                }
                case BLANK_LINE, LITERAL -> {
                    boolean separates = literal == null ? lines.isBlank() : isLiteral(lines, literal);
                    if (separates) {
                        doc.end();
                        continue;
                    }
                    if (!doc.isOpen()) {
                        doc.begin(lines.number(), lines.offset());
                    } else {
                        doc.append(previousTerminator == 2 ? CRLF : LF, 0, previousTerminator);
                    }
                    doc.append(b, lines.start(), lines.length());
                    previousTerminator = lines.terminatorLength();
                }
            }
        }
        doc.end();
    }

    /** Whether the line is the separator, trailing spaces and tabs aside. */
    private static boolean isLiteral(LineReader lines, byte[] literal) {
        byte[] b = lines.buffer();
        int end = lines.start() + lines.length();
        while (end > lines.start() && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        if (end - lines.start() != literal.length) {
            return false;
        }
        for (int i = 0; i < literal.length; i++) {
            if (b[lines.start() + i] != literal[i]) {
                return false;
            }
        }
        return true;
    }
}
