package dev.hearth.guard.pii;

import java.util.List;

/**
 * A text with the personal data in it marked: the record format of labelled test files and of
 * {@code hearth pii analyze}'s output. Offsets count Unicode code points, end exclusive.
 */
public record LabeledText(String id, String text, List<Span> entities) {
    /** One labelled entity; {@code score} is 1 for gold labels. */
    public record Span(EntityType type, int start, int end, double score) {
        public Span {
            if (start < 0 || end <= start) {
                throw new PiiException("entity " + type + " has the empty or negative span [" + start + ", " + end + ")");
            }
        }

        public boolean overlaps(Span o) {
            return start < o.end && o.start < end;
        }
    }

    /** The findings of an analysis as code-point spans of {@code text}. */
    public static List<Span> spans(String text, List<Finding> findings) {
        CodePoints cp = CodePoints.of(text);
        return findings.stream()
                .map(f -> new Span(f.type(), cp.toCodePoint(f.start()), cp.toCodePoint(f.end()), f.score()))
                .toList();
    }
}
