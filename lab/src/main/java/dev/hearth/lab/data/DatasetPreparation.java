package dev.hearth.lab.data;

import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.BpeTrainingResult;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.CharTokenizerConfig;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.WordPieceTokenizer;
import dev.hearth.lab.BuildInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * {@code hearth data prepare}: raw text to a dataset folder the trainer reads, never holding the
 * corpus in memory.
 *
 * <ol>
 *   <li><b>Reading</b>: every input is read once to hash it, find its documents, and decide what
 *       to skip (empty, binary, invalid UTF-8, bad JSON or CSV records) before any work is spent
 *       on it; the split of each document is decided here.
 *   <li><b>Training the tokenizer</b> (BPE only): the inputs are read again and the training
 *       documents streamed to {@link BpeTrainer}, which keeps word counts, not text. Characters
 *       are collected during the first pass instead.
 *   <li><b>Encoding</b>: the inputs are read a last time; documents are encoded on worker threads
 *       in order and appended to the shards of their split, each followed by the separator.
 * </ol>
 *
 * Then {@code tokenizer.json} is there and {@code manifest.json} is written last, atomically. The
 * library never prints: it reports to a {@link Listener}.
 */
public final class DatasetPreparation {
    public static final long DEFAULT_SHARD_TOKENS = 100_000_000L;
    public static final int DEFAULT_CHUNK_BYTES = 256 << 10;
    public static final long DEFAULT_SEED = 1234;
    public static final double DEFAULT_VAL_FRACTION = 0.1;

    /** The end-of-text tokens looked for, in this order, in a tokenizer read from a file. */
    static final List<String> SEPARATOR_CANDIDATES = List.of("<|endoftext|>", "<|end_of_text|>", "</s>",
            "<|eot_id|>", "<|im_end|>", "<eos>", "[SEP]");
    static final String BPE_SEPARATOR = "<|endoftext|>";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /**
     * What to prepare.
     *
     * @param inputs files and folders to read
     * @param out the dataset folder to write (created if absent)
     * @param name the dataset's name, recorded in the manifest
     * @param tokenizer which tokenizer to train or read
     * @param reading how files become documents
     * @param split how documents divide between train and val
     * @param valFraction the fraction for val, in [0, 1)
     * @param seed the seed of the document hash ({@link DocumentHash})
     * @param shardTokens the most ids per shard file
     * @param separator the token written after every document: null to choose (see
     *     {@link #SEPARATOR_CANDIDATES}; {@code <|endoftext|>} for a trained BPE, none for
     *     characters), {@code "none"} for none, or a token of the tokenizer
     * @param force replace a dataset already in {@code out}
     * @param threads encoding threads (the reading thread comes on top)
     * @param chunkBytes larger documents are read and encoded in pieces of about this size
     */
    public record Config(List<Path> inputs, Path out, String name, TokenizerChoice tokenizer, ReadingOptions reading,
            SplitMode split, double valFraction, long seed, long shardTokens, String separator, boolean force,
            int threads, int chunkBytes, DatasetScrub scrub) {

        public Config {
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(tokenizer, "tokenizer");
            Objects.requireNonNull(reading, "reading");
            Objects.requireNonNull(split, "split");
            if (inputs.isEmpty()) {
                throw new DataInputException("no input given: name the files or folders to prepare");
            }
            if (name == null || !NAME.matcher(name).matches()) {
                throw new DataInputException("the dataset name '" + name + "' must start with a letter or digit and"
                        + " hold only letters, digits, '.', '_' and '-', such as shakespeare-char");
            }
            if (!(valFraction >= 0 && valFraction < 1)) {
                throw new DataInputException("the val fraction must be at least 0 and below 1, such as 0.1; got "
                        + valFraction);
            }
            if (shardTokens < 1) {
                throw new DataInputException("the shard size must be at least 1 token; got " + shardTokens);
            }
            if (threads < 1) {
                throw new DataInputException("threads must be at least 1; got " + threads);
            }
            if (chunkBytes < 64) {
                throw new IllegalArgumentException("chunkBytes must be at least 64");
            }
        }

        /** bpe:8000, whole .txt files, document split with 10% val, seed 1234, 100M-token shards. */
        public static Config of(List<Path> inputs, Path out, String name) {
            return new Config(inputs, out, name, new TokenizerChoice.TrainBpe(8000, 2), ReadingOptions.DEFAULTS,
                    SplitMode.DOCUMENT, DEFAULT_VAL_FRACTION, DEFAULT_SEED, DEFAULT_SHARD_TOKENS, null, false,
                    Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_BYTES, null);
        }

        public Config withOut(Path dir) {
            return new Config(inputs, dir, name, tokenizer, reading, split, valFraction, seed, shardTokens, separator,
                    force, threads, chunkBytes, scrub);
        }

        public Config withTokenizer(TokenizerChoice t) {
            return new Config(inputs, out, name, t, reading, split, valFraction, seed, shardTokens, separator, force,
                    threads, chunkBytes, scrub);
        }

        public Config withReading(ReadingOptions r) {
            return new Config(inputs, out, name, tokenizer, r, split, valFraction, seed, shardTokens, separator, force,
                    threads, chunkBytes, scrub);
        }

        public Config withSplit(SplitMode mode, double fraction) {
            return new Config(inputs, out, name, tokenizer, reading, mode, fraction, seed, shardTokens, separator,
                    force, threads, chunkBytes, scrub);
        }

        public Config withSeed(long s) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, s, shardTokens, separator,
                    force, threads, chunkBytes, scrub);
        }

        public Config withShardTokens(long n) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, n, separator, force,
                    threads, chunkBytes, scrub);
        }

        public Config withSeparator(String s) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, shardTokens, s, force,
                    threads, chunkBytes, scrub);
        }

        public Config withForce(boolean f) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, shardTokens, separator,
                    f, threads, chunkBytes, scrub);
        }

        public Config withThreads(int n) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, shardTokens, separator,
                    force, n, chunkBytes, scrub);
        }

        /** Scrub personal data out of the inputs first; the dataset is made from the scrubbed copies. */
        public Config withScrub(DatasetScrub s) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, shardTokens, separator,
                    force, threads, chunkBytes, s);
        }

        public Config withChunkBytes(int n) {
            return new Config(inputs, out, name, tokenizer, reading, split, valFraction, seed, shardTokens, separator,
                    force, threads, n, scrub);
        }
    }

    /** The passes over the inputs. */
    public enum Phase {
        SCRUBBING("scrubbing personal data"),
        READING("reading"),
        TRAINING_TOKENIZER("training tokenizer"),
        ENCODING("encoding");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * Hears how a preparation goes. Progress counts bytes of the input files as stored; during
     * tokenizer training it is called from a background reading thread.
     */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** A pass over {@code totalBytes} of input begins. */
        default void onPhase(Phase phase, long totalBytes) {}

        default void onProgress(Phase phase, long bytesDone, long totalBytes) {}

        /** Something the user should know: a smaller vocabulary than asked for, an empty val split, ... */
        default void onWarning(String message) {}
    }

    /**
     * What was made.
     *
     * @param dir the dataset folder
     * @param manifest its manifest
     * @param warnings what {@link Listener#onWarning} was told
     * @param inputBytes the input files' size as stored
     * @param seconds the whole preparation
     * @param phaseSeconds each pass (tokenizer training includes its merges)
     */
    public record Result(Path dir, DatasetManifest manifest, List<String> warnings, long inputBytes, double seconds,
            Map<Phase, Double> phaseSeconds) {

        /** UTF-8 bytes of text per token, separators left out. */
        public double bytesPerToken() {
            long separators = manifest.separatorId() == null ? 0
                    : manifest.splits().values().stream().mapToLong(DatasetManifest.Split::documents).sum();
            long tokens = manifest.totalTokens() - separators;
            return tokens == 0 ? 0 : (double) manifest.textBytes() / tokens;
        }

        /** Input megabytes (10^6 bytes, as stored) per second over the whole preparation. */
        public double megabytesPerSecond() {
            return seconds == 0 ? 0 : inputBytes / 1e6 / seconds;
        }
    }

    private final Config config;
    /** What the scrub step did, for the manifest; null when the inputs were not scrubbed. */
    private com.fasterxml.jackson.databind.JsonNode scrubRecord;

    public DatasetPreparation(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    public Result run(Listener listener) {
        long started = System.nanoTime();
        Path dir = config.out().toAbsolutePath().normalize();
        InputDiscovery.Found found = InputDiscovery.discover(config.inputs(), dir);
        Tokenizer given = config.tokenizer() instanceof TokenizerChoice.FromFile f ? Tokenizer.load(f.file()) : null;
        boolean created = OutputFolder.prepare(dir, config.force());
        try {
            if (config.scrub() != null) {
                DatasetScrub.Scrubbed scrubbed = config.scrub().run(config.inputs(), dir, listener);
                scrubRecord = scrubbed.record();
                found = InputDiscovery.discover(scrubbed.files(), dir);
            }
            return prepare(dir, found, given, listener, started);
        } catch (IOException | UncheckedIOException e) {
            OutputFolder.cleanUp(dir, created);
            throw new DataInputException("cannot write the dataset in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            OutputFolder.cleanUp(dir, created);
            throw e;
        }
    }

    private Result prepare(Path dir, InputDiscovery.Found found, Tokenizer given, Listener listener, long started)
            throws IOException {
        List<String> warnings = new ArrayList<>();
        Listener warn = new Listener() {
            @Override
            public void onWarning(String message) {
                warnings.add(message);
                listener.onWarning(message);
            }
        };
        Map<Phase, Double> phaseSeconds = new EnumMap<>(Phase.class);
        SkipLog skips = new SkipLog();
        for (InputDiscovery.Unsupported u : found.unsupported()) {
            skips.add(u.path().toString(), "file", SkipReason.UNSUPPORTED_FILE,
                    "not a type Hearth reads (" + InputFormat.SUPPORTED + ")");
        }
        List<InputFile> files = found.files();
        if (files.isEmpty()) {
            throw new DataInputException("the inputs hold no file Hearth reads (" + InputFormat.SUPPORTED + ")"
                    + (found.unsupported().isEmpty() ? "" : "; found only " + found.unsupported().size()
                            + " other file(s), such as " + found.unsupported().get(0).path()));
        }
        long totalBytes = files.stream().mapToLong(InputFile::size).sum();

        boolean spacesOnly = given instanceof ByteLevelBpeTokenizer b && b.byteLevelOptions().addPrefixSpace();
        CorpusReader reader = new CorpusReader(config.reading(), config.chunkBytes(), spacesOnly);

        // 1. Reading: hashes, documents, skips, split counts, characters.
        long t = System.nanoTime();
        List<InputState> inputs = new ArrayList<>();
        boolean collectChars = config.tokenizer() instanceof TokenizerChoice.TrainChars;
        BitSet characters = collectChars ? new BitSet(Character.MAX_CODE_POINT + 1) : null;
        PassProgress progress = new PassProgress(listener, Phase.READING, totalBytes);
        SplitAssigner split = new SplitAssigner(config.split(), config.valFraction(), config.seed());
        for (InputFile file : files) {
            InputState state = new InputState(file);
            inputs.add(state);
            SurveySink sink = new SurveySink(state, skips, characters, split);
            state.digest = reader.read(file, sink, progress);
        }
        progress.done();
        phaseSeconds.put(Phase.READING, seconds(t));
        long documents = inputs.stream().mapToLong(s -> s.documents).sum();
        if (documents == 0) {
            throw new DataInputException(noDocumentMessage(files.size(), skips));
        }
        boolean valWarned = config.split() == SplitMode.DOCUMENT && checkDocumentSplit(inputs, documents, warn);

        // 2. The tokenizer.
        t = System.nanoTime();
        Tokenizer tokenizer;
        DatasetManifest.Training training = null;
        switch (config.tokenizer()) {
            case TokenizerChoice.TrainBpe bpe -> {
                BpeTrainingResult result = trainBpe(bpe, inputs, reader, totalBytes, listener);
                tokenizer = result.tokenizer();
                training = new DatasetManifest.Training(bpe.vocabSize(), result.vocabSize(), bpe.minFrequency(),
                        result.stopReason().name(), result.summary(), result.corpusSha256(),
                        config.split() == SplitMode.DOCUMENT ? "the train split's documents"
                                : "the first " + percent(1 - config.valFraction()) + " of the characters of every"
                                        + " document (tail split)");
                if (result.isSmallerThanRequested()) {
                    warn.onWarning("the tokenizer has " + String.format(Locale.ROOT, "%,d", result.vocabSize())
                            + " tokens, fewer than the " + String.format(Locale.ROOT, "%,d", bpe.vocabSize())
                            + " asked for: " + result.summary());
                }
                phaseSeconds.put(Phase.TRAINING_TOKENIZER, seconds(t));
            }
            case TokenizerChoice.TrainChars c -> {
                StringBuilder sb = new StringBuilder();
                characters.stream().forEach(sb::appendCodePoint);
                tokenizer = CharTokenizer.train(List.of(sb.toString()), CharTokenizerConfig.CHARACTERS_ONLY);
                training = new DatasetManifest.Training(null, tokenizer.vocabSize(), null, "ALL_CHARACTERS",
                        String.format(Locale.ROOT, "characters: %,d distinct characters of %,d document%s",
                                tokenizer.vocabSize(), documents, documents == 1 ? "" : "s"),
                        null, "every document used, train and val, as nanoGPT does: val never meets an unknown"
                                + " character");
            }
            case TokenizerChoice.FromFile f -> tokenizer = given;
        }
        Separator separator = chooseSeparator(tokenizer, warn);
        int vocab = tokenizer.vocabSize();
        int bytesPerToken = vocab <= 65536 ? 2 : 4;
        Path tokenizerFile = dir.resolve("tokenizer.json");
        Tokenizer toSave = tokenizer;
        CompletableFuture<Void> saving = CompletableFuture.runAsync(() -> toSave.save(tokenizerFile),
                r -> Thread.ofPlatform().daemon().name("hearth-data-save").start(r));

        // 3. Encoding.
        t = System.nanoTime();
        SplitWriter writer = new SplitWriter(dir, inputs, skips, split, separator.id(), bytesPerToken,
                config.shardTokens(), vocab);
        progress = new PassProgress(listener, Phase.ENCODING, totalBytes);
        try (writer; OrderedEncoder encoder = new OrderedEncoder(tokenizer, config.threads(), writer)) {
            for (int i = 0; i < inputs.size(); i++) {
                InputState state = inputs.get(i);
                EncodingFeed sink = new EncodingFeed(i, state, encoder);
                checkUnchanged(state, reader.read(state.file, sink, progress));
            }
            encoder.finish();
            writer.finish();
        } catch (IOException | RuntimeException | Error e) {
            saving.exceptionally(x -> null).join();   // let it finish before the clean-up removes its file
            throw e;
        }
        progress.done();
        phaseSeconds.put(Phase.ENCODING, seconds(t));
        try {
            saving.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (writer.trainTokens() == 0) {
            throw new DataInputException("the train split came out empty: " + (config.split() == SplitMode.TAIL
                    ? "the " + writer.valDocuments + " document(s) are too short to keep any token in train with"
                            + " --val-fraction " + config.valFraction() + "; give more text or use --split document"
                    : writer.valDocuments + " document(s), all in val; lower --val-fraction or use --split tail"));
        }
        if (writer.valTokens() == 0 && !valWarned) {
            warn.onWarning("the val split is empty (val fraction " + config.valFraction() + "); training will refuse"
                    + " it, so raise --val-fraction");
        }

        DatasetManifest manifest = manifest(dir, tokenizer, tokenizerFile, training, separator, bytesPerToken, inputs,
                writer, skips);
        manifest.write(dir);
        double total = seconds(started);
        return new Result(dir, manifest, List.copyOf(warnings), totalBytes, total, phaseSeconds);
    }

    /** Refuses an empty train split; warns of an empty val split and says whether it did. */
    private boolean checkDocumentSplit(List<InputState> inputs, long documents, Listener warn) {
        long val = inputs.stream().mapToLong(s -> s.valDocuments).sum();
        long train = documents - val;
        if (train == 0) {
            throw new DataInputException("all " + documents + " document(s) fell in the val split, none in train"
                    + (documents < 10 ? ": with so few documents use --split tail (the end of every document to"
                            + " val), or split the text into more documents with --doc-separator"
                            : "; lower --val-fraction"));
        }
        if (val == 0) {
            warn.onWarning("the val split is empty: " + (config.valFraction() == 0 ? "val fraction 0"
                    : "none of the " + documents + " document(s) fell in val (expected about "
                            + String.format(Locale.ROOT, "%.1f", documents * config.valFraction()) + ")")
                    + "; training will refuse it: use --split tail for a corpus of few documents, or split the text"
                    + " into more documents with --doc-separator, or raise --val-fraction");
            return true;
        }
        return false;
    }

    private BpeTrainingResult trainBpe(TokenizerChoice.TrainBpe bpe, List<InputState> inputs, CorpusReader reader,
            long totalBytes, Listener listener) {
        BpeTrainingConfig cfg = BpeTrainingConfig.gpt2(bpe.vocabSize()).withMinFrequency(bpe.minFrequency())
                .withSpecialTokens(List.of(BPE_SEPARATOR));
        PassProgress progress = new PassProgress(listener, Phase.TRAINING_TOKENIZER, totalBytes);
        try (BackgroundDocuments docs = new BackgroundDocuments("hearth-data-read", emit -> {
            SplitAssigner split = new SplitAssigner(config.split(), config.valFraction(), config.seed());
            for (InputState state : inputs) {
                TrainingTextSink sink = new TrainingTextSink(state, emit, split);
                checkUnchanged(state, reader.read(state.file, sink, progress));
            }
            progress.done();
        })) {
            return BpeTrainer.train(docs, cfg);
        }
    }

    private static void checkUnchanged(InputState state, CorpusReader.FileDigest digest) {
        if (!digest.equals(state.digest)) {
            throw new DataInputException(state.file.display() + " changed while it was being prepared (its SHA-256"
                    + " differs between two reads); prepare again once nothing writes to it");
        }
    }

    /** The separator's id and token, or none. */
    record Separator(Integer id, String token) {}

    private Separator chooseSeparator(Tokenizer tokenizer, Listener warn) {
        String asked = config.separator();
        if (asked != null) {
            if (asked.equals("none")) {
                return new Separator(null, null);
            }
            OptionalInt id = tokenizer.specialTokenId(asked);
            if (id.isEmpty()) {
                id = tokenizer.tokenId(asked);
            }
            if (id.isEmpty()) {
                throw new DataInputException("the separator '" + asked + "' is not a token of the tokenizer (its"
                        + " special tokens: " + tokenizer.specialTokens() + "); name one of them, or 'none'");
            }
            return new Separator(id.getAsInt(), asked);
        }
        return switch (config.tokenizer()) {
            case TokenizerChoice.TrainBpe b -> new Separator(tokenizer.specialTokenId(BPE_SEPARATOR).orElseThrow(),
                    BPE_SEPARATOR);
            case TokenizerChoice.TrainChars c -> new Separator(null, null);
            case TokenizerChoice.FromFile f -> {
                for (String candidate : SEPARATOR_CANDIDATES) {
                    OptionalInt id = tokenizer.specialTokenId(candidate);
                    if (id.isPresent()) {
                        yield new Separator(id.getAsInt(), candidate);
                    }
                }
                warn.onWarning("the tokenizer " + f.file() + " has no end-of-text token (looked for "
                        + String.join(" ", SEPARATOR_CANDIDATES) + "): documents follow one another with nothing"
                        + " between them; name a token with --separator if it has another");
                yield new Separator(null, null);
            }
        };
    }

    private DatasetManifest manifest(Path dir, Tokenizer tokenizer, Path tokenizerFile,
            DatasetManifest.Training training, Separator separator, int bytesPerToken, List<InputState> inputs,
            SplitWriter writer, SkipLog skips) throws IOException {
        String kind = switch (tokenizer) {
            case ByteLevelBpeTokenizer b -> "byte-level-bpe";
            case CharTokenizer c -> "char";
            case WordPieceTokenizer w -> "wordpiece";
            default -> "file";
        };
        String source = config.tokenizer() instanceof TokenizerChoice.FromFile f
                ? f.file().toAbsolutePath().normalize().toString() : null;
        DatasetManifest.TokenizerInfo tok = new DatasetManifest.TokenizerInfo(tokenizerFile.getFileName().toString(),
                Sha256.ofFile(tokenizerFile), kind, tokenizer.vocabSize(), training != null, source, training);
        String rule = config.split() == SplitMode.DOCUMENT
                ? "a document goes to val when the first 8 bytes of SHA-256(\"<seed>:<key>:<index>\"), as an unsigned"
                        + " number divided by 2^64, are below val_fraction (key: the input's path relative to the"
                        + " folder given, index: the document's number in its file from 0)"
                : "of every document's n tokens, the first floor(n * (1 - val_fraction)) go to train and the rest"
                        + " to val; the separator follows each part";
        DatasetManifest.SplitRule split = new DatasetManifest.SplitRule(config.split().id(), config.valFraction(),
                config.seed(), rule);
        ReadingOptions r = config.reading();
        DatasetManifest.Reading reading = new DatasetManifest.Reading(r.separator().describe(), r.field(), r.column(),
                r.delimiter() == null ? null : r.delimiter().toString(), config.chunkBytes());
        List<DatasetManifest.Input> in = new ArrayList<>();
        for (InputState s : inputs) {
            in.add(new DatasetManifest.Input(s.file.path().toString(), s.file.key(), s.file.format().id(),
                    s.file.gzip(), s.digest.sha256(), s.digest.bytes(), s.written, s.skipped));
        }
        Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
        splits.put("train", new DatasetManifest.Split(writer.trainDocuments, writer.trainTokens(), writer.trainShards));
        splits.put("val", new DatasetManifest.Split(writer.valDocuments, writer.valTokens(), writer.valShards));
        return new DatasetManifest(DatasetManifest.FORMAT, config.name(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), BuildInfo.version(), tok,
                bytesPerToken == 2 ? "uint16" : "uint32", separator.id(), separator.token(), config.shardTokens(), split,
                reading, in, splits, writer.textBytes, skips.toManifest(), scrubRecord);
    }

    private static String noDocumentMessage(int files, SkipLog skips) {
        StringBuilder sb = new StringBuilder("no usable document in the " + files + " input file"
                + (files == 1 ? "" : "s") + ": everything was skipped (" + skips.describe() + ")");
        if (skips.count(SkipReason.MISSING_FIELD) > 0) {
            sb.append("; the .jsonl lines lack the field asked for: name the right one with --field");
        }
        if (skips.count(SkipReason.BINARY) + skips.count(SkipReason.WRONG_ENCODING)
                + skips.count(SkipReason.INVALID_UTF8) > 0) {
            sb.append("; Hearth reads UTF-8 text: convert other encodings first (iconv -f GBK -t UTF-8)");
        }
        if (skips.count(SkipReason.EMPTY) > 0 && skips.count() == skips.count(SkipReason.EMPTY)) {
            sb.append("; the files are empty");
        }
        return sb.toString();
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.4g%%", 100 * f).replaceAll("\\.?0+%$", "%");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
