package dev.hearth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth eval}: the evaluations, one subcommand each. */
@Command(name = "eval", mixinStandardHelpOptions = true, subcommands = {EvalPplCommand.class, EvalClassifyCommand.class},
        description = "Evaluate a model; see the subcommands.")
final class EvalCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "choose an evaluation, for example: hearth eval ppl --model DIR --data FILE, or hearth eval classify --model DIR --data NAME=FILE.csv --out DIR");
    }
}
