package dev.hearth.guard.pii;

import java.util.List;
import java.util.Set;

/**
 * Finds one family of personal data in a text. A recognizer scans the text once and reports
 * candidates with a base score; the {@link PiiAnalyzer} then applies context words and resolves
 * overlaps. Implementations are stateless and safe to share between threads.
 */
public interface Recognizer {
    /** The types this recognizer can report. */
    Set<EntityType> types();

    /** Appends what it finds in {@code text} to {@code out}. */
    void scan(String text, List<Finding> out);
}
