package dev.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.guard.crypto.MasterKey;
import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;
import dev.hearth.guard.pii.ScrubReport;
import dev.hearth.guard.pii.Scrubber;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth data scrub}: a thin layer over {@link Scrubber}. */
@Command(name = "scrub", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Remove personal data from .txt (a record per line), .jsonl and .csv files, or a folder of them,",
            "by a policy: which types to find and what to put in their place (redact, replace, mask, hash,",
            "pseudonym, encrypt, fake). Every input record gives one output record; records that could not be",
            "read cleanly are listed in the report. See docs/privacy.md."})
final class DataScrubCommand implements Callable<Integer> {
    @ParentCommand
    DataCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "PATH", description = "A file or a folder.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "The scrubbed file, or a folder mirroring the input folder.")
    Path out;

    @Option(names = "--policy", paramLabel = "FILE.yaml",
            description = "What to find and how to replace it (default: every type replaced by its <TYPE> tag).")
    Path policy;

    @Option(names = "--format", paramLabel = "txt|jsonl|csv", description = "Force a format (default: by extension).")
    String format;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The master key for hash, pseudonym and encrypt (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
    Path keyFile;

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "The encrypted pseudonym mapping, read and extended so that pseudonyms stay the same across"
                    + " runs (default: <workspace>/pii/pseudonyms.henc).")
    Path mapping;

    @Option(names = "--report", paramLabel = "FILE.json",
            description = "Where to write the report (default: <out>.scrub-report.json beside the output).")
    Path report;

    @Option(names = "--threads", paramLabel = "N", description = "Analysis threads (default: the cores).")
    Integer threads;

    @Option(names = "--max-record-bytes", paramLabel = "N", defaultValue = "67108864",
            description = "A longer line is written as an empty record and reported (default: ${DEFAULT-VALUE}).")
    long maxRecordBytes;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        Result r = scrub(parent.parent, in, out, policy == null ? ScrubPolicy.defaults() : ScrubPolicy.load(policy),
                format == null ? null : Scrubber.Format.parse(format), keyFile, mapping, report,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads, maxRecordBytes, pw);
        printSummary(pw, r);
        return 0;
    }

    record Result(ScrubReport report, Path reportFile, Path mapping, double seconds) {}

    /**
     * A policy's anonymizer with the master key (from --key-file or $HEARTH_MASTER_KEY, when set)
     * and the workspace's pseudonym mapping; {@link #saveMapping} keeps the numbering for later runs.
     */
    record Setup(Anonymizer anonymizer, MasterKey key, Pseudonyms pseudonyms, Path mapping) {
        static Setup of(Hearth root, ScrubPolicy policy, Path keyFile, Path mapping) {
            MasterKey key = MasterKey.find(keyFile, System.getenv()).orElse(null);
            Path map = mapping != null ? mapping : PiiCommand.defaultMapping(root);
            Pseudonyms pseudonyms = key == null ? new Pseudonyms() : Pseudonyms.load(map, key);
            return new Setup(new Anonymizer(policy, key, pseudonyms), key, pseudonyms, map);
        }

        /** Saves the mapping (encrypted) when pseudonyms were given out; returns its path, or null. */
        Path saveMapping() {
            if (pseudonyms.size() == 0) {
                return null;
            }
            pseudonyms.save(mapping, key);
            return mapping;
        }
    }

    /** Runs a scrub with a progress bar and writes its report. */
    static Result scrub(Hearth root, Path in, Path out, ScrubPolicy policy, Scrubber.Format format, Path keyFile,
                        Path mapping, Path report, int threads, long maxRecordBytes, PrintWriter pw) throws Exception {
        Setup setup = Setup.of(root, policy, keyFile, mapping);
        Progress progress = new Progress(pw, 1);
        long total = Files.isDirectory(in) ? sizeOf(in) : Files.exists(in) ? Files.size(in) : 0;
        progress.begin("scrub", total, " MB", 1_000_000);
        long t0 = System.nanoTime();
        ScrubReport r = new Scrubber(setup.anonymizer(), threads, maxRecordBytes).scrub(in, out, format, progress::update);
        progress.done();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path saved = setup.saveMapping();
        Path reportFile = report != null ? report : out.resolveSibling(out.getFileName() + ".scrub-report.json");
        PiiCommand.atomicWrite(reportFile, w -> w.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(r)));
        return new Result(r, reportFile, saved, seconds);
    }

    private static long sizeOf(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void printSummary(PrintWriter pw, Result res) {
        ScrubReport r = res.report();
        pw.printf(Locale.ROOT, "scrubbed:  %,d records in %,d file%s, %.1f MB in %.1f s (%.1f MB/s)%n", r.records(),
                r.files(), r.files() == 1 ? "" : "s", r.bytes() / 1e6, res.seconds(), r.bytes() / 1e6 / Math.max(res.seconds(), 1e-9));
        pw.printf(Locale.ROOT, "found:     %s%n", r.found().isEmpty() ? "nothing" : r.found());
        for (ScrubReport.FileReport f : r.perFile()) {
            if (f.skipped() != null) {
                pw.printf(Locale.ROOT, "skipped:   %s: %s%n", f.input(), f.skipped());
            }
            if (!f.problems().isEmpty()) {
                ScrubReport.Problem p = f.problems().getFirst();
                pw.printf(Locale.ROOT, "problems:  %s: %,d record(s), the first: record %d, %s%n", f.input(),
                        f.problems().size(), p.record(), p.reason());
            }
        }
        if (res.mapping() != null) {
            pw.printf(Locale.ROOT, "mapping:   %s (encrypted)%n", res.mapping());
        }
        pw.printf(Locale.ROOT, "report:    %s%n", res.reportFile());
    }
}
