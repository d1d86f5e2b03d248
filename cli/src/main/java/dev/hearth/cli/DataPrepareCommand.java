package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.data.DatasetManifest;
import dev.hearth.guard.pii.ScrubPolicy;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.DatasetScrub;
import dev.hearth.lab.data.DocumentSeparator;
import dev.hearth.lab.data.ReadingOptions;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.TokenizerChoice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth data prepare}: a thin layer over {@link DatasetPreparation}. */
@Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tokenize text into a dataset folder the trainer reads: train-NNNNN.bin and val-NNNNN.bin",
            "shards of token ids, tokenizer.json and manifest.json (SHA-256 of every input, counts, what was",
            "skipped and why). Reads .txt, .jsonl/.ndjson, .csv and .tsv files, each optionally .gz, and folders",
            "of them. Streams: the corpus may be larger than memory. See docs/data.md."})
final class DataPrepareCommand implements Callable<Integer> {

    @ParentCommand
    DataCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Files and folders to read (folders recursively).")
    List<Path> inputs;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Dataset name; the folder is <workspace>/datasets/NAME unless --out is given.")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the dataset here instead (NAME defaults to its"
            + " folder name).")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "bpe:N|char|FILE", defaultValue = "bpe:8000",
            description = "Train a byte-level BPE of N tokens on the train split, one id per character (nanoGPT's"
                    + " shakespeare_char), or use a tokenizer.json as it is (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--min-frequency", paramLabel = "N", defaultValue = "2",
            description = "BPE: pairs seen fewer times are not merged (default: ${DEFAULT-VALUE}).")
    int minFrequency;

    @Option(names = "--field", paramLabel = "F", defaultValue = "text",
            description = ".jsonl: the field holding the text; dots for nested fields (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--column", paramLabel = "C", defaultValue = "text",
            description = ".csv/.tsv: the column holding the text, by its header (default: ${DEFAULT-VALUE}).")
    String column;

    @Option(names = "--delimiter", paramLabel = "CHAR",
            description = "CSV field delimiter (default: ',' for .csv, tab for .tsv); 'tab' for a tab.")
    String delimiter;

    @Option(names = "--doc-separator", paramLabel = "none|line|blank-line|LINE", defaultValue = "none",
            description = ".txt: the whole file is one document (none), every line is one (line), paragraphs"
                    + " (blank-line), or records between lines holding exactly LINE, such as '%%' (default:"
                    + " ${DEFAULT-VALUE}).")
    String docSeparator;

    @Option(names = "--split", paramLabel = "document|tail", defaultValue = "document",
            description = "document: whole documents to val by a stable hash; tail: the last val fraction of every"
                    + " document's tokens (for one or few documents) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Share of documents (or of each document, with --split tail) for val (default:"
                    + " ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1234",
            description = "Seed of the document split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shard-tokens", paramLabel = "N", defaultValue = "100000000",
            description = "Most token ids per shard file (default: ${DEFAULT-VALUE}).")
    long shardTokens;

    @Option(names = "--separator", paramLabel = "TOKEN|none",
            description = "Token written after every document (default: <|endoftext|> for bpe, none for char, the"
                    + " end-of-text token of a tokenizer file).")
    String separator;

    @Option(names = "--threads", paramLabel = "N", description = "Encoding threads (default: the cores).")
    Integer threads;

    @Option(names = "--force", description = "Replace a dataset already in the folder.")
    boolean force;

    @Option(names = "--scrub", arity = "0..1", fallbackValue = "", paramLabel = "POLICY.yaml",
            description = {"First remove personal data from the inputs (as 'hearth data scrub' does) into the dataset's",
                "scrubbed/ folder and make the dataset from those copies; the manifest records the originals' hashes,",
                "the policy and what was found. Without a file: every type replaced by its <TYPE> tag."})
    String scrub;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "With --scrub: the master key for hash, pseudonym and encrypt (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
    Path keyFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DatasetPreparation.Config config = config();
        DataScrubCommand.Setup scrubSetup = null;
        if (scrub != null) {
            Path policyFile = scrub.isEmpty() ? null : Path.of(scrub);
            ScrubPolicy policy = policyFile == null ? ScrubPolicy.defaults() : ScrubPolicy.load(policyFile);
            scrubSetup = DataScrubCommand.Setup.of(parent.parent, policy, keyFile, null);
            config = config.withScrub(new DatasetScrub(scrubSetup.anonymizer(), config.threads(), policyFile,
                    scrubSetup.key() == null ? null : scrubSetup.key().id()));
        }
        Progress progress = new Progress(out, 1);
        DatasetPreparation.Result r = new DatasetPreparation(config).run(new DatasetPreparation.Listener() {
            @Override
            public void onPhase(DatasetPreparation.Phase phase, long totalBytes) {
                progress.begin(phase.label(), totalBytes, " MB", 1_000_000);
            }

            @Override
            public void onProgress(DatasetPreparation.Phase phase, long bytesDone, long totalBytes) {
                progress.update(bytesDone);
            }

            @Override
            public void onWarning(String message) {
                progress.done();
                err.println("warning: " + message);
            }
        });
        progress.done();
        if (scrubSetup != null) {
            scrubSetup.saveMapping();
        }
        printSummary(out, r);
        return 0;
    }

    DatasetPreparation.Config config() {
        if (name == null && out == null) {
            throw new HearthException("give the dataset a name with --name NAME (it goes to <workspace>/datasets/NAME),"
                    + " or a folder with --out DIR");
        }
        Path dir = out != null ? out : Workspace.resolve(parent.parent.home).home().resolve("datasets").resolve(name);
        String n = name != null ? name : dir.toAbsolutePath().normalize().getFileName().toString();
        Character delim = null;
        if (delimiter != null) {
            String d = delimiter.equals("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
            if (d.length() != 1) {
                throw new HearthException("--delimiter takes one character, such as ';' or tab; got '" + delimiter + "'");
            }
            delim = d.charAt(0);
        }
        ReadingOptions reading = new ReadingOptions(DocumentSeparator.parse(docSeparator), field, column, delim);
        DatasetPreparation.Config c = DatasetPreparation.Config.of(inputs, dir, n)
                .withTokenizer(TokenizerChoice.parse(tokenizer, minFrequency))
                .withReading(reading)
                .withSplit(SplitMode.parse(split), valFraction)
                .withSeed(seed)
                .withShardTokens(shardTokens)
                .withSeparator(separator)
                .withForce(force);
        return threads == null ? c : c.withThreads(threads);
    }

    private static void printSummary(PrintWriter out, DatasetPreparation.Result r) {
        DatasetManifest m = r.manifest();
        DatasetManifest.TokenizerInfo t = m.tokenizer();
        out.printf(Locale.ROOT, "tokenizer: %s, %,d tokens%s%s%n", t.kind(), t.vocabSize(),
                t.trainedHere() ? " (trained here)" : " (from " + t.source() + ")",
                m.separatorToken() == null ? ", no separator" : ", separator " + m.separatorToken() + " = id "
                        + m.separatorId());
        for (Map.Entry<String, DatasetManifest.Split> e : m.splits().entrySet()) {
            DatasetManifest.Split s = e.getValue();
            out.printf(Locale.ROOT, "%-10s %,d documents, %,d tokens in %d shard%s%n", e.getKey() + ":", s.documents(),
                    s.tokens(), s.shards().size(), s.shards().size() == 1 ? "" : "s");
        }
        out.printf(Locale.ROOT, "text:      %,d bytes from %d input file%s, %.2f bytes per token (%s, %s)%n",
                m.textBytes(), m.inputs().size(), m.inputs().size() == 1 ? "" : "s", r.bytesPerToken(), m.dtype(),
                m.split().mode() + " split, val fraction " + m.split().valFraction());
        if (m.scrub() != null) {
            out.printf(Locale.ROOT, "scrubbed:  %,d records, found %s; %,d problem(s); %s/ and %s%n",
                    m.scrub().path("records").asLong(), m.scrub().path("found"), m.scrub().path("problems").asLong(),
                    DatasetScrub.FOLDER, DatasetScrub.REPORT);
        }
        DatasetManifest.Skipped sk = m.skipped();
        if (sk.count() == 0) {
            out.println("skipped:   nothing");
        } else {
            StringBuilder reasons = new StringBuilder();
            sk.byReason().forEach((k, v) -> reasons.append(reasons.isEmpty() ? "" : ", ").append(k).append(": ")
                    .append(String.format(Locale.ROOT, "%,d", v)));
            out.printf(Locale.ROOT, "skipped:   %,d (%s); each is listed in manifest.json%s%n", sk.count(), reasons,
                    sk.recordsTruncated() ? " (the first " + sk.recordsLimit() + ")" : "");
            if (sk.byReason().containsKey("invalid UTF-8") || sk.byReason().containsKey("binary")) {
                out.println("           Hearth reads UTF-8; convert text in other encodings first, e.g."
                        + " iconv -f GBK -t UTF-8");
            }
        }
        StringBuilder phases = new StringBuilder();
        r.phaseSeconds().forEach((phase, seconds) -> phases.append(phases.isEmpty() ? "" : ", ").append(phase.label())
                .append(String.format(Locale.ROOT, " %.1f s", seconds)));
        out.printf(Locale.ROOT, "done:      %.1f s (%s), %.2f MB/s of input; dataset %s%n", r.seconds(), phases,
                r.megabytesPerSecond(), r.dir());
    }
}
