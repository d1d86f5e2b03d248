package dev.hearth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code hearth data}: datasets in the workspace. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Datasets: scrub personal data out of raw files, prepare tokenized shards the trainer reads.",
        subcommands = {DataPrepareCommand.class, DataScrubCommand.class, DataAugmentCommand.class,
            CommandLine.HelpCommand.class})
final class DataCommand implements Runnable {

    @ParentCommand
    Hearth parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
