package dev.hearth.guard.pii;

/**
 * One piece of personal data found in a text: its type, where it is, how sure we are, and why.
 *
 * <p>{@code start} and {@code end} (exclusive) index the Java string, in UTF-16 code units;
 * {@link CodePoints} converts them to the Unicode code points that files use.
 *
 * @param score  0..1, after context words raised or lowered it
 * @param reason what found it: {@code pattern}, {@code checksum}, {@code dictionary}, and any
 *               context words that moved the score
 */
public record Finding(EntityType type, int start, int end, double score, String reason) {
    public Finding {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ") for " + type);
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(Finding o) {
        return start < o.end && o.start < end;
    }

    Finding withScore(double newScore, String newReason) {
        return new Finding(type, start, end, newScore, newReason);
    }
}
