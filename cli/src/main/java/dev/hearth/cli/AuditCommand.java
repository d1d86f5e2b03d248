package dev.hearth.cli;

import dev.hearth.store.AuditEntry;
import dev.hearth.store.AuditProblem;
import dev.hearth.store.AuditRecord;
import dev.hearth.store.AuditVerification;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth audit}: read and verify the hash-chained audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The audit log of the API: every request, each row chained to the one before by a hash.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Tail.class})
final class AuditCommand implements Runnable {

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: verify, tail");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the chain; name every edited, deleted, inserted or reordered row. Exit 1 if any.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                AuditVerification v = store.audit().verify();
                if (v.ok()) {
                    out.printf("audit log intact: %,d rows, every hash and link checks out%n", v.rowsChecked());
                    return 0;
                }
                for (AuditProblem p : v.problems()) {
                    out.printf("row %d: %s: %s%n", p.seq(), p.kind(), p.message());
                }
                out.printf("audit log TAMPERED: %d problem(s) in %,d rows%n", v.problems().size(), v.rowsChecked());
                return 1;
            }
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Print the newest rows.")
    static final class Tail implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = {"-n", "--rows"}, defaultValue = "20", paramLabel = "N", description = "Rows (default 20).")
        int rows;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                for (AuditEntry e : store.audit().tail(rows)) {
                    AuditRecord r = e.record();
                    out.printf("%6d %s %-12s %-7s %-6s %-22s %-18s %3d %5d ms  in %d out %d%s%s%n", e.seq(), r.at(),
                            r.keyId() == null ? "-" : r.keyId(), r.role() == null ? "-" : r.role(), r.method(),
                            r.endpoint(), r.modelVersion() == null ? "-" : r.modelVersion(), r.status(), r.latencyMs(),
                            r.promptTokens(), r.completionTokens(), r.endUser() == null ? "" : "  user " + r.endUser(),
                            r.error() == null ? "" : "  " + r.error());
                }
            }
            return 0;
        }
    }
}
