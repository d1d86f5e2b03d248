package dev.hearth.store;

/**
 * One thing {@link AuditLog#verify()} found wrong.
 *
 * @param seq     the row the problem is at (for a deleted row, the missing seq)
 * @param kind    {@code edited}, {@code deleted}, {@code reordered}, {@code inserted} or {@code truncated}
 * @param message what was found, for people
 */
public record AuditProblem(long seq, String kind, String message) {
    public static final String EDITED = "edited";
    public static final String DELETED = "deleted";
    public static final String REORDERED = "reordered";
    public static final String INSERTED = "inserted";
    public static final String TRUNCATED = "truncated";
}
