package dev.hearth.store;

import java.util.List;

/** What {@link AuditLog#verify()} found: how many rows it read and every problem, in seq order. */
public record AuditVerification(long rowsChecked, List<AuditProblem> problems) {
    public AuditVerification {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
