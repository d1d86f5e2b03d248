package dev.hearth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth export}: a model in another tool's format, one subcommand per format. */
@Command(name = "export", mixinStandardHelpOptions = true, subcommands = {ExportGgufCommand.class},
        description = "Export a model for another tool; see the subcommands.")
final class ExportCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "choose a format, for example: hearth export gguf --model DIR --out FILE.gguf");
    }
}
