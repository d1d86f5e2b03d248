package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code hearth} command: one entry point, a subcommand per job. */
@Command(name = "hearth", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
        description = "Build language-model products end to end on the JVM.",
        subcommands = {DemoCommand.class, DataCommand.class, TrainCommand.class, GenerateCommand.class,
                EvalCommand.class, CommandLine.HelpCommand.class})
public final class Hearth {

    @Option(names = "--home", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Workspace folder (default: $HEARTH_HOME, else ./.hearth).")
    Path home;

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
