package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import java.io.PrintWriter;
import dev.hearth.lab.Workspace;
import dev.hearth.store.Store;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code hearth} command: one entry point, a subcommand per job. */
@Command(name = "hearth", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
        description = "Build language-model products end to end on the JVM.",
        subcommands = {DemoCommand.class, DataCommand.class, TrainCommand.class, GenerateCommand.class,
                EvalCommand.class, ModelsCommand.class, KeysCommand.class, ServeCommand.class, AuditCommand.class,
                PiiCommand.class, CryptCommand.class, DpCommand.class, FairnessCommand.class, BiasCommand.class, ExplainCommand.class, CardCommand.class, PlanCommand.class, QuantizeCommand.class, PruneCommand.class, BenchCommand.class, TuneCommand.class,
                DistillCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Hearth {

    @Option(names = "--home", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Workspace folder (default: $HEARTH_HOME, else ./.hearth).")
    Path home;

    @Option(names = "--db", scope = CommandLine.ScopeType.INHERIT, paramLabel = "JDBC_URL",
            description = {"The store: default $HEARTH_DB, else the SQLite file hearth.db in the workspace.",
                "jdbc:postgresql://host/db?user=U&password=P shares one store between several servers."})
    String db;

    /** The workspace folder named by --home, $HEARTH_HOME or the default. */
    Workspace workspace() {
        return Workspace.resolve(home);
    }

    /** Opens the store named by --db, $HEARTH_DB or the workspace's SQLite file (migrating it). */
    Store openStore() {
        String url = db != null ? db : System.getenv("HEARTH_DB");
        return Store.open(url, workspace().home());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (0 success, 1 failure, 2 usage error). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Hearth());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof HearthException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Hearth.class.getPackage().getImplementationVersion();
            return new String[] {"hearth " + (v == null ? "development build" : v), "Java " + Runtime.version()};
        }
    }
}
