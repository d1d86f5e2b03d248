package dev.hearth.lab.data;

/**
 * How a .txt file divides into documents.
 *
 * @param kind which rule
 * @param literal for {@link Kind#LITERAL}, the line that separates documents (such as {@code %})
 */
public record DocumentSeparator(Kind kind, String literal) {

    public enum Kind {
        /** The whole file is one document. */
        NONE,
        /** Every line is a document. */
        LINE,
        /** Paragraphs: documents are separated by one or more blank lines. */
        BLANK_LINE,
        /** Documents are separated by lines that hold exactly {@link #literal()} (trailing spaces ignored). */
        LITERAL
    }

    public static final DocumentSeparator NONE = new DocumentSeparator(Kind.NONE, null);
    public static final DocumentSeparator LINE = new DocumentSeparator(Kind.LINE, null);
    public static final DocumentSeparator BLANK_LINE = new DocumentSeparator(Kind.BLANK_LINE, null);

    public DocumentSeparator {
        if (kind == Kind.LITERAL) {
            if (literal == null || literal.isBlank()) {
                throw new DataInputException("a document separator line cannot be empty or blank; for paragraphs use"
                        + " --doc-separator blank-line");
            }
            if (literal.indexOf('\n') >= 0 || literal.indexOf('\r') >= 0) {
                throw new DataInputException("a document separator is one line; '" + literal.replace("\n", "\\n")
                        + "' holds a line break");
            }
            literal = literal.stripTrailing();
        } else if (literal != null) {
            throw new IllegalArgumentException("only LITERAL has a literal");
        }
    }

    /** A separator line such as {@code %}. */
    public static DocumentSeparator literal(String line) {
        return new DocumentSeparator(Kind.LITERAL, line);
    }

    /** {@code none}, {@code line}, {@code blank-line}, or any other text as a literal separator line. */
    public static DocumentSeparator parse(String text) {
        return switch (text) {
            case "none" -> NONE;
            case "line" -> LINE;
            case "blank-line" -> BLANK_LINE;
            default -> literal(text);
        };
    }

    /** As the manifest records it: {@code none}, {@code line}, {@code blank-line} or {@code literal:<line>}. */
    public String describe() {
        return switch (kind) {
            case NONE -> "none";
            case LINE -> "line";
            case BLANK_LINE -> "blank-line";
            case LITERAL -> "literal:" + literal;
        };
    }
}
