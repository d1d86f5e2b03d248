package dev.hearth.cli;

import dev.hearth.lab.card.Evidence;
import dev.hearth.lab.card.ModelCard;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth card}: MODEL_CARD.md and lineage.json for a model folder. */
@Command(name = "card", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write MODEL_CARD.md (Hugging Face metadata and the sections of Mitchell et al.) and lineage.json",
            "into a model folder, from what Hearth recorded (config, files and hashes, training run, dataset manifest,",
            "scrub record, privacy budget) and the result files given with --evidence. Nothing is invented: a section",
            "without evidence says so. Write the card before 'hearth models register': versions are immutable."})
final class CardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--evidence", split = ",", paramLabel = "FILE.json",
            description = "Result files to quote: hearth eval ppl --json, eval classify, fairness report, bias crows-pairs"
                    + " --out, bias probes --out, explain (repeatable).")
    List<Path> evidence = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name (default: the folder's).")
    String name;

    @Option(names = "--license", paramLabel = "SPDX", description = "The license, e.g. apache-2.0 (default: not stated).")
    String license;

    @Option(names = "--language", split = ",", paramLabel = "CODE", description = "Languages, e.g. en,zh.")
    List<String> languages = new ArrayList<>();

    @Option(names = "--intended-use", paramLabel = "TEXT", description = "What the model is for.")
    String intendedUse;

    @Option(names = "--out-of-scope", paramLabel = "TEXT", description = "What it must not be used for.")
    String outOfScope;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write (default: the model folder).")
    Path out;

    @Override
    public Integer call() {
        List<Evidence> ev = evidence.stream().map(Evidence::of).toList();
        ModelCard.Written w = new ModelCard(model, name, license, languages, intendedUse, outOfScope, ev)
                .write(out != null ? out : model);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %s and %s%n", w.card(), w.lineage());
        if (!w.withoutEvidence().isEmpty()) {
            pw.println("sections without evidence: " + String.join(", ", w.withoutEvidence()));
        }
        return 0;
    }
}
