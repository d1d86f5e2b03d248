package dev.hearth.guard.pii;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Scrubs files of personal data: plain text (a record per line), JSON Lines (the text fields of
 * each object) and CSV (the chosen columns of each row), a file or a folder of them.
 *
 * <p>Streaming: records are read in batches, analysed on {@code threads} worker threads, and
 * anonymized and written in input order, so memory stays bounded and pseudonym numbering is the
 * same on every run. Every input record gives exactly one output record. A record that cannot be
 * read cleanly is still scrubbed as well as it can be and listed in the report: invalid UTF-8 is
 * decoded with U+FFFD in place of the bad bytes, a JSON Lines line that is not JSON is scrubbed as
 * plain text, a CSV row with the wrong number of cells keeps its cells. A record longer than the
 * limit is replaced by an empty one and reported (never passed through unscrubbed). Binary files
 * and files of unknown format are skipped and reported. Outputs are written to a temporary file
 * and moved into place at the end, so a failed run never leaves a half-scrubbed file.
 */
public final class Scrubber {
    /** File formats; chosen by extension unless given. */
    public enum Format {
        TXT, JSONL, CSV;

        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
                return JSONL;
            }
            if (name.endsWith(".csv")) {
                return CSV;
            }
            if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md") || name.endsWith(".log")) {
                return TXT;
            }
            return null;
        }

        public static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new PiiException("unknown format '" + s + "'; the formats are txt, jsonl and csv");
            }
        }
    }

    private static final int BATCH_RECORDS = 512;
    private static final int BATCH_CHARS = 1 << 20;
    /** Numbers are kept exactly as written (1.50 stays 1.50), never rounded through a double. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private final PiiAnalyzer analyzer;
    private final Anonymizer anonymizer;
    private final int threads;
    private final long maxRecordBytes;

    public Scrubber(Anonymizer anonymizer, int threads, long maxRecordBytes) {
        if (threads < 1) {
            throw new PiiException("threads must be at least 1, not " + threads);
        }
        if (maxRecordBytes < 1) {
            throw new PiiException("the record size limit must be positive, not " + maxRecordBytes);
        }
        this.anonymizer = anonymizer;
        this.analyzer = anonymizer.policy().analyzer();
        this.threads = threads;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Scrubs {@code in} (a file or a folder, walked in name order) into {@code out} (a file, or a
     * folder mirroring the input's layout). {@code format} forces a format; null chooses by
     * extension (and plain text for a single file with another extension).
     * {@code progress} receives the input bytes done so far.
     */
    public ScrubReport scrub(Path in, Path out, Format format, LongConsumer progress) {
        if (!Files.exists(in)) {
            throw new PiiException("the input " + in + " does not exist");
        }
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new PiiException("the output must differ from the input (" + in + "); scrubbing never overwrites its input");
        }
        List<Path> files;
        boolean folder = Files.isDirectory(in);
        if (folder) {
            try (Stream<Path> s = Files.walk(in)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new PiiException("cannot list " + in + ": " + e.getMessage(), e);
            }
            if (out.toAbsolutePath().normalize().startsWith(in.toAbsolutePath().normalize())) {
                throw new PiiException("the output folder " + out + " lies inside the input folder " + in);
            }
        } else {
            files = List.of(in);
        }
        long total = 0;
        for (Path f : files) {
            total += size(f);
        }
        long[] done = {0};
        List<ScrubReport.FileReport> reports = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hearth-scrub");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Path f : files) {
                Path target = folder ? out.resolve(in.relativize(f).toString()) : out;
                Format fmt = format != null ? format : Format.of(f);
                if (fmt == null && !folder) {
                    fmt = Format.TXT;
                }
                long base = done[0];
                LongConsumer fileProgress = b -> progress.accept(base + b);
                reports.add(scrubFile(f, target, fmt, pool, fileProgress));
                done[0] = base + size(f);
                progress.accept(done[0]);
            }
        } finally {
            pool.shutdownNow();
        }
        return ScrubReport.of(reports);
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private ScrubReport.FileReport scrubFile(Path in, Path out, Format fmt, ExecutorService pool, LongConsumer progress) {
        String name = in.toString();
        if (fmt == null) {
            return skipped(in, "unknown format (not .txt, .md, .log, .jsonl, .ndjson or .csv): not scrubbed and not copied");
        }
        try {
            if (looksBinary(in)) {
                return skipped(in, "binary file (NUL bytes in its first 8 KiB): not scrubbed and not copied");
            }
        } catch (IOException e) {
            return skipped(in, "unreadable: " + e.getMessage());
        }
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + out.getFileName(), ".scrub-tmp");
            FileRun run = new FileRun(pool);
            try (InputStream is = new CountingStream(new BufferedInputStream(Files.newInputStream(in), 1 << 16), progress);
                 OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                switch (fmt) {
                    case TXT -> lines(is, os, false, run);
                    case JSONL -> lines(is, os, true, run);
                    case CSV -> csv(is, os, run, name);
                }
                run.finish(os);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new ScrubReport.FileReport(name, out.toString(), fmt.name().toLowerCase(Locale.ROOT), run.records,
                    size(in), run.counts.asMap(), List.copyOf(run.problems), null);
        } catch (IOException e) {
            throw new PiiException("cannot scrub " + in + " into " + out + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the move succeeded or the error above is the one to report
                }
            }
        }
    }

    private static ScrubReport.FileReport skipped(Path in, String why) {
        return new ScrubReport.FileReport(in.toString(), null, null, 0, size(in), java.util.Map.of(), List.of(), why);
    }

    private static boolean looksBinary(Path f) throws IOException {
        try (InputStream is = Files.newInputStream(f)) {
            byte[] head = is.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- one file: records in batches, analysed in parallel, written in order ----

    /** A record's text pieces to scrub, and how to write the record once they are scrubbed. */
    private interface Unit {
        List<String> texts();

        void write(List<String> scrubbed, OutputStream os) throws IOException;
    }

    private final class FileRun {
        final ExecutorService pool;
        final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
        final TypeCounts counts = new TypeCounts();
        final List<ScrubReport.Problem> problems = new ArrayList<>();
        List<Unit> current = new ArrayList<>();
        int currentChars;
        long records;

        FileRun(ExecutorService pool) {
            this.pool = pool;
        }

        void add(Unit u, OutputStream os) throws IOException {
            current.add(u);
            records++;
            for (String t : u.texts()) {
                currentChars += t.length();
            }
            if (current.size() >= BATCH_RECORDS || currentChars >= BATCH_CHARS) {
                submit();
                while (inFlight.size() > 2 * threads) {
                    drainOne(os);
                }
            }
        }

        void problem(long record, String reason) {
            problems.add(new ScrubReport.Problem(record, reason));
        }

        private void submit() {
            List<Unit> units = current;
            current = new ArrayList<>();
            currentChars = 0;
            Future<List<List<List<Finding>>>> f = pool.submit(() -> {
                List<List<List<Finding>>> all = new ArrayList<>(units.size());
                for (Unit u : units) {
                    List<List<Finding>> perText = new ArrayList<>(u.texts().size());
                    for (String t : u.texts()) {
                        perText.add(analyzer.analyze(t));
                    }
                    all.add(perText);
                }
                return all;
            });
            inFlight.add(new Batch(units, f));
        }

        private void drainOne(OutputStream os) throws IOException {
            Batch b = inFlight.removeFirst();
            List<List<List<Finding>>> findings;
            try {
                findings = b.findings().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PiiException("the scrub was interrupted");
            } catch (ExecutionException e) {
                throw new PiiException("scrubbing failed: " + e.getCause(), e.getCause());
            }
            for (int k = 0; k < b.units().size(); k++) {
                Unit u = b.units().get(k);
                List<String> texts = u.texts();
                List<String> out = new ArrayList<>(texts.size());
                for (int j = 0; j < texts.size(); j++) {
                    out.add(anonymizer.anonymize(texts.get(j), findings.get(k).get(j), counts));
                }
                u.write(out, os);
            }
        }

        void finish(OutputStream os) throws IOException {
            if (!current.isEmpty()) {
                submit();
            }
            while (!inFlight.isEmpty()) {
                drainOne(os);
            }
        }
    }

    private record Batch(List<Unit> units, Future<List<List<List<Finding>>>> findings) {}

    // ---- plain text and JSON Lines ----

    private void lines(InputStream is, OutputStream os, boolean json, FileRun run) throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        LineReader reader = new LineReader(is, maxRecordBytes);
        long lineNo = 0;
        for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
            lineNo++;
            byte[] terminator = line.terminator();
            if (line.tooLong()) {
                run.problem(lineNo, "record of " + line.length() + " bytes exceeds the limit of " + maxRecordBytes
                        + " bytes: written as an empty record, not scrubbed");
                run.add(fixed(json ? "{}" : "", terminator), os);
                continue;
            }
            // The fast decoder replaces bad bytes with U+FFFD; only a line that then holds one is
            // decoded again strictly, to tell bad bytes from a U+FFFD that was really there.
            String text = new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
            if (text.indexOf('\uFFFD') >= 0) {
                try {
                    strict.decode(ByteBuffer.wrap(line.bytes(), 0, line.length()));
                } catch (CharacterCodingException e) {
                    run.problem(lineNo, "invalid UTF-8: the bad bytes were replaced with U+FFFD, the rest scrubbed");
                }
            }
            if (!json || text.isBlank()) {
                run.add(textUnit(text, terminator), os);
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                node = null;
            }
            if (node == null || !(node.isObject() || node.isArray())) {
                run.problem(lineNo, "not a JSON object: scrubbed as plain text");
                run.add(textUnit(text, terminator), os);
                continue;
            }
            run.add(jsonUnit(node, terminator), os);
        }
    }

    private static Unit fixed(String text, byte[] terminator) {
        return new Unit() {
            public List<String> texts() {
                return List.of();
            }

            public void write(List<String> scrubbed, OutputStream os) throws IOException {
                os.write(text.getBytes(StandardCharsets.UTF_8));
                os.write(terminator);
            }
        };
    }

    private static Unit textUnit(String text, byte[] terminator) {
        return new Unit() {
            public List<String> texts() {
                return List.of(text);
            }

            public void write(List<String> scrubbed, OutputStream os) throws IOException {
                os.write(scrubbed.getFirst().getBytes(StandardCharsets.UTF_8));
                os.write(terminator);
            }
        };
    }

    /** The text values of a JSON record (those named by the policy's fields, or all), scrubbed in place. */
    private Unit jsonUnit(JsonNode root, byte[] terminator) {
        List<Runnable> setters = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<String> scrubbedHolder = new ArrayList<>();
        collect(root, null, texts, setters, scrubbedHolder);
        return new Unit() {
            public List<String> texts() {
                return texts;
            }

            public void write(List<String> scrubbed, OutputStream os) throws IOException {
                scrubbedHolder.clear();
                scrubbedHolder.addAll(scrubbed);
                setters.forEach(Runnable::run);
                os.write(JSON.writeValueAsBytes(root));
                os.write(terminator);
            }
        };
    }

    private void collect(JsonNode node, String field, List<String> texts, List<Runnable> setters, List<String> scrubbed) {
        List<String> fields = anonymizer.policy().fields();
        if (node instanceof ObjectNode obj) {
            for (var it = obj.fields(); it.hasNext(); ) {
                var e = it.next();
                String key = e.getKey();
                JsonNode v = e.getValue();
                if (v.isTextual()) {
                    if (fields.isEmpty() || fields.contains(key)) {
                        int idx = texts.size();
                        texts.add(v.asText());
                        setters.add(() -> obj.set(key, TextNode.valueOf(scrubbed.get(idx))));
                    }
                } else {
                    collect(v, key, texts, setters, scrubbed);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int k = 0; k < arr.size(); k++) {
                JsonNode v = arr.get(k);
                if (v.isTextual()) {
                    if (fields.isEmpty() || fields.contains(field)) {
                        int idx = texts.size();
                        int pos = k;
                        texts.add(v.asText());
                        setters.add(() -> arr.set(pos, TextNode.valueOf(scrubbed.get(idx))));
                    }
                } else {
                    collect(v, field, texts, setters, scrubbed);
                }
            }
        }
    }

    // ---- CSV ----

    private void csv(InputStream is, OutputStream os, FileRun run, String name) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        Reader reader = new java.io.InputStreamReader(is, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        Writer writer = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
        SequenceWriter out = mapper.writerFor(String[].class).with(CsvSchema.emptySchema()).writeValues(writer);
        long row = 0;
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!it.hasNextValue()) {
                return;
            }
            String[] header = it.nextValue();
            out.write(header);
            writer.flush();
            boolean[] scrub = new boolean[header.length];
            List<String> fields = anonymizer.policy().fields();
            for (String f : fields) {
                int k = Arrays.asList(header).indexOf(f);
                if (k < 0) {
                    throw new PiiException(name + " has no column '" + f + "' named in the policy's fields; its columns are "
                            + String.join(", ", header));
                }
            }
            for (int k = 0; k < header.length; k++) {
                scrub[k] = fields.isEmpty() || fields.contains(header[k]);
            }
            while (true) {
                String[] cells;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    cells = it.nextValue();
                } catch (RuntimeException | IOException e) {
                    throw new PiiException(name + ": malformed CSV after row " + row + " (" + firstLine(e.getMessage())
                            + "); nothing was written for this file");
                }
                row++;
                if (cells.length != header.length) {
                    run.problem(row, "row has " + cells.length + " cells, the header " + header.length
                            + ": every cell kept and scrubbed");
                }
                List<String> texts = new ArrayList<>();
                List<Integer> where = new ArrayList<>();
                for (int k = 0; k < cells.length; k++) {
                    if (k >= header.length || scrub[k]) {
                        texts.add(cells[k]);
                        where.add(k);
                    }
                }
                run.add(new Unit() {
                    public List<String> texts() {
                        return texts;
                    }

                    public void write(List<String> scrubbed, OutputStream o) throws IOException {
                        for (int j = 0; j < where.size(); j++) {
                            cells[where.get(j)] = scrubbed.get(j);
                        }
                        out.write(cells);
                        writer.flush();
                    }
                }, os);
            }
        }
        run.finish(os);
        out.close();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Reports bytes read to a progress listener every 64 KiB. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private final LongConsumer progress;
        private long count;
        private long reported;

        CountingStream(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) {
            count += n;
            if (count - reported >= 1 << 16) {
                reported = count;
                progress.accept(count);
            }
        }
    }
}
