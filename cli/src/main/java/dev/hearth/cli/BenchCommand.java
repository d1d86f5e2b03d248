package dev.hearth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth bench}: load tests; see the subcommands. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {ServeBenchCommand.class},
        description = "Benchmarks; see the subcommands.")
final class BenchCommand implements Runnable {

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose a benchmark, for example: hearth bench serve");
    }
}
