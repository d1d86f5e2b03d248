package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.guard.crypto.MasterKey;
import dev.hearth.guard.pii.Deanonymizer;
import dev.hearth.guard.pii.EntityType;
import dev.hearth.guard.pii.Finding;
import dev.hearth.guard.pii.LabeledText;
import dev.hearth.guard.pii.ModelNameRecognizer;
import dev.hearth.guard.pii.NameSource;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.PiiEvaluation;
import dev.hearth.guard.pii.PiiException;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.SyntheticPii;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth pii}: find personal data, measure how well it is found, and undo reversible anonymization. */
@Command(name = "pii", mixinStandardHelpOptions = true,
        description = {"Personal data: analyze finds it, evaluate scores finding it against labels, generate writes",
            "labelled synthetic test text, deanonymize restores what encrypt and pseudonym replaced.",
            "To remove personal data from files, use 'hearth data scrub'. See docs/privacy.md."},
        subcommands = {PiiCommand.Analyze.class, PiiCommand.Evaluate.class, PiiCommand.Generate.class,
            PiiTrainNerCommand.class, PiiCommand.Deanonymize.class})
final class PiiCommand implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: analyze, evaluate, generate, train-ner, deanonymize");
    }

    /** The analyzer named by --types and --threshold, with names from the dictionaries. */
    static PiiAnalyzer analyzer(List<String> types, double threshold) {
        return analyzer(types, threshold, new NameOptions());
    }

    /** The analyzer named by --types, --threshold, --ner and --ner-model. */
    static PiiAnalyzer analyzer(List<String> types, double threshold, NameOptions names) {
        PiiAnalyzer.Builder b = PiiAnalyzer.builder().threshold(threshold);
        if (types != null && !types.isEmpty()) {
            b.types(types.stream().map(EntityType::parse).toList());
        }
        names.apply(b);
        return b.build();
    }

    /** --ner and --ner-model: where PERSON and LOCATION come from. */
    static final class NameOptions {
        @Option(names = "--ner", paramLabel = "dictionaries|model|both",
                description = "PERSON/LOCATION from the dictionaries (the default), the name model of --ner-model, or"
                        + " both (the default when --ner-model is given).")
        String ner;

        @Option(names = "--ner-model", paramLabel = "DIR", description = "A name model folder written by"
                + " 'hearth pii train-ner'.")
        Path nerModel;

        void apply(PiiAnalyzer.Builder b) {
            NameSource source = ner == null ? (nerModel == null ? NameSource.DICTIONARIES : NameSource.BOTH)
                    : NameSource.parse(ner);
            b.names(source);
            if (nerModel != null) {
                b.nameModel(ModelNameRecognizer.load(nerModel));
            }
        }

        String describe() {
            return nerModel == null && ner == null ? "" : ", names from " + (ner == null ? "both" : ner)
                    + (nerModel == null ? "" : " (" + nerModel + ")");
        }
    }

    static BufferedReader reader(Path in) throws IOException {
        if (!Files.isRegularFile(in)) {
            throw new PiiException("the input file " + in + " does not exist");
        }
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(in), StandardCharsets.UTF_8
                .newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)),
                1 << 16);
    }

    /** Writes through a temporary file moved into place at the end, so a failure leaves no partial output. */
    interface Body {
        void write(BufferedWriter w) throws IOException;
    }

    static void atomicWrite(Path out, Body body) {
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                body.write(w);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the move succeeded, or the error above is the one to report
                }
            }
        }
    }

    @Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Find personal data in a JSON Lines file. Writes one line per input line:",
                "{\"id\": <the input's id>, \"entities\": [{\"type\", \"start\", \"end\", \"score\"}, ...]},",
                "start and end in Unicode code points, end exclusive. A line that cannot be read gets",
                "\"entities\": [] and an \"error\"; the command then exits with 1 after writing every line."})
    static final class Analyze implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--in", required = true, paramLabel = "FILE.jsonl", description = "Input, one JSON object per line.")
        Path in;

        @Option(names = "--field", defaultValue = "text", paramLabel = "NAME",
                description = "The field holding the text (default: ${DEFAULT-VALUE}).")
        String field;

        @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "Where to write the findings.")
        Path out;

        @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "S",
                description = "Leave out findings scoring below S (default: ${DEFAULT-VALUE}).")
        double threshold;

        @Option(names = "--types", split = ",", paramLabel = "TYPE", description = "Only these types (default: all).")
        List<String> types;

        @Option(names = "--explain", description = "Add each finding's reason (pattern, checksum, context words, model).")
        boolean explain;

        @Mixin
        NameOptions names;

        @Override
        public Integer call() throws IOException {
            PiiAnalyzer analyzer = analyzer(types, threshold, names);
            long[] lines = {0};
            long[] errors = {0};
            Map<String, Long> found = new java.util.TreeMap<>();
            try (BufferedReader r = reader(in)) {
                atomicWrite(out, w -> {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines[0]++;
                        ObjectNode o = JSON.createObjectNode();
                        JsonNode node = null;
                        try {
                            node = JSON.readTree(line);
                        } catch (IOException e) {
                            // reported below
                        }
                        o.set("id", node != null && node.has("id") ? node.get("id") : NullNode.getInstance());
                        ArrayNode ents = o.putArray("entities");
                        String problem = null;
                        if (node == null || !node.isObject()) {
                            problem = "line " + lines[0] + " is not a JSON object";
                        } else if (!node.path(field).isTextual()) {
                            problem = "line " + lines[0] + " has no text field '" + field + "'";
                        } else {
                            String text = node.get(field).asText();
                            List<Finding> fs = analyzer.analyze(text);
                            List<LabeledText.Span> spans = LabeledText.spans(text, fs);
                            for (int k = 0; k < spans.size(); k++) {
                                LabeledText.Span s = spans.get(k);
                                ObjectNode e = ents.addObject();
                                e.put("type", s.type().name());
                                e.put("start", s.start());
                                e.put("end", s.end());
                                e.put("score", Math.round(s.score() * 1000) / 1000.0);
                                if (explain) {
                                    e.put("reason", fs.get(k).reason());
                                }
                                found.merge(s.type().name(), 1L, Long::sum);
                            }
                        }
                        if (problem != null) {
                            o.put("error", problem);
                            errors[0]++;
                        }
                        w.write(JSON.writeValueAsString(o));
                        w.write('\n');
                    }
                });
            }
            PrintWriter pw = spec.commandLine().getOut();
            pw.printf(Locale.ROOT, "%,d lines, %,d findings %s -> %s%n", lines[0],
                    found.values().stream().mapToLong(Long::longValue).sum(), found, out);
            if (errors[0] > 0) {
                spec.commandLine().getErr().printf(Locale.ROOT,
                        "error: %,d line(s) could not be read; each has an \"error\" in %s%n", errors[0], out);
                return 1;
            }
            return 0;
        }
    }

    /** Reads labelled records: {id, text (or --field), entities: [{type, start, end}]}. */
    static List<LabeledText> readLabelled(Path file, String field) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (BufferedReader r = reader(file)) {
            long n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new PiiException(file + " line " + n + " is not JSON");
                }
                String text = node.path(field).isTextual() ? node.get(field).asText() : null;
                out.add(new LabeledText(node.path("id").asText(String.valueOf(n)), text, spans(node, file, n, text)));
            }
        }
        return out;
    }

    static List<LabeledText.Span> spans(JsonNode node, Path file, long line, String text) {
        JsonNode ents = node.get("entities");
        if (ents == null || !ents.isArray()) {
            throw new PiiException(file + " line " + line + " has no \"entities\" list");
        }
        int length = text == null ? Integer.MAX_VALUE : text.codePointCount(0, text.length());
        List<LabeledText.Span> out = new ArrayList<>();
        for (JsonNode e : ents) {
            if (!e.path("start").isInt() || !e.path("end").isInt() || !e.path("type").isTextual()) {
                throw new PiiException(file + " line " + line + ": every entity needs a type, an integer start and end");
            }
            int start = e.get("start").asInt();
            int end = e.get("end").asInt();
            if (end > length) {
                throw new PiiException(file + " line " + line + ": entity [" + start + ", " + end + ") runs past the text's "
                        + length + " code points");
            }
            out.add(new LabeledText.Span(EntityType.parse(e.get("type").asText()), start, end, e.path("score").asDouble(1.0)));
        }
        return out;
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Span-level precision, recall and F2 per type against a labelled JSON Lines file",
                "({id, text, entities: [{type, start, end}]}, code points). Scores Hearth's analyzer, or the",
                "predictions of any tool in analyze's output format (--predictions), paired by id."})
    static final class Evaluate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--in", required = true, paramLabel = "LABELLED.jsonl", description = "The labelled records.")
        Path in;

        @Option(names = "--field", defaultValue = "text", paramLabel = "NAME",
                description = "The field holding the text (default: ${DEFAULT-VALUE}).")
        String field;

        @Option(names = "--predictions", paramLabel = "FILE.jsonl",
                description = "Score these predictions (analyze's format) instead of running Hearth's analyzer.")
        Path predictions;

        @Option(names = "--match", defaultValue = "exact", paramLabel = "exact|overlap",
                description = "exact: type, start and end must agree; overlap: the right type overlapping (default:"
                        + " ${DEFAULT-VALUE}).")
        String match;

        @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "S",
                description = "Hearth's analyzer: the score threshold (default: ${DEFAULT-VALUE}).")
        double threshold;

        @Option(names = "--types", split = ",", paramLabel = "TYPE",
                description = "Score only these types: the analyzer looks for them alone, and labels and predictions"
                        + " of other types are left out of the scores.")
        List<String> types;

        @Option(names = "--out", paramLabel = "REPORT.json", description = "Also write the scores as JSON.")
        Path out;

        @Mixin
        NameOptions names;

        @Override
        public Integer call() throws IOException {
            PiiEvaluation.Match m = switch (match) {
                case "exact" -> PiiEvaluation.Match.EXACT;
                case "overlap" -> PiiEvaluation.Match.OVERLAP;
                default -> throw new PiiException("--match is exact or overlap, not '" + match + "'");
            };
            List<LabeledText> gold = readLabelled(in, field);
            List<List<LabeledText.Span>> goldSpans = gold.stream().map(LabeledText::entities).toList();
            List<List<LabeledText.Span>> predicted = new ArrayList<>();
            String who;
            if (predictions != null) {
                if (names.ner != null || names.nerModel != null) {
                    throw new PiiException("--ner and --ner-model choose how Hearth's analyzer finds names; with"
                            + " --predictions nothing is analyzed, so leave them out");
                }
                Map<String, List<LabeledText.Span>> byId = new HashMap<>();
                for (LabeledText p : readLabelled(predictions, field)) {
                    byId.put(p.id(), p.entities());
                }
                for (LabeledText g : gold) {
                    List<LabeledText.Span> p = byId.get(g.id());
                    if (p == null) {
                        throw new PiiException(predictions + " has no line with id " + g.id());
                    }
                    predicted.add(p);
                }
                who = predictions.toString();
            } else {
                PiiAnalyzer analyzer = analyzer(types, threshold, names);
                for (LabeledText g : gold) {
                    if (g.text() == null) {
                        throw new PiiException(in + ": record " + g.id() + " has no text field '" + field + "'");
                    }
                    predicted.add(LabeledText.spans(g.text(), analyzer.analyze(g.text())));
                }
                who = "Hearth's analyzer (threshold " + threshold + names.describe() + ")";
            }
            java.util.Set<EntityType> only = java.util.EnumSet.allOf(EntityType.class);
            if (types != null && !types.isEmpty()) {   // other types' labels would count as missed
                only.clear();
                types.forEach(t -> only.add(EntityType.parse(t)));
                who += "; scored on " + only;
            }
            PiiEvaluation.Report report = PiiEvaluation.evaluate(goldSpans, predicted, m, only);
            PrintWriter pw = spec.commandLine().getOut();
            pw.printf(Locale.ROOT, "%s on %,d records, %s span match%n", who, report.records(), match);
            pw.printf(Locale.ROOT, "%-16s %9s %7s %7s %7s %7s %7s%n", "type", "precision", "recall", "F2", "TP", "FP", "FN");
            ObjectNode json = JSON.createObjectNode();
            json.put("match", match);
            json.put("records", report.records());
            ObjectNode per = json.putObject("types");
            report.byType().forEach((t, s) -> {
                row(pw, t.name(), s);
                scores(per.putObject(t.name()), s);
            });
            row(pw, "all (micro)", report.overall());
            scores(json.putObject("overall"), report.overall());
            if (out != null) {
                atomicWrite(out, w -> w.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json)));
            }
            return 0;
        }

        private static void row(PrintWriter pw, String name, PiiEvaluation.Scores s) {
            pw.printf(Locale.ROOT, "%-16s %9.3f %7.3f %7.3f %7d %7d %7d%n", name, s.precision(), s.recall(), s.f2(),
                    s.truePositives(), s.falsePositives(), s.falseNegatives());
        }

        private static void scores(ObjectNode o, PiiEvaluation.Scores s) {
            o.put("precision", s.precision());
            o.put("recall", s.recall());
            o.put("f2", s.f2());
            o.put("tp", s.truePositives());
            o.put("fp", s.falsePositives());
            o.put("fn", s.falseNegatives());
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write labelled synthetic test text in English and Chinese, in evaluate's format.",
                "The same seed gives the same file."})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--count", defaultValue = "1000", paramLabel = "N", description = "Records (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--chinese", defaultValue = "0.4", paramLabel = "SHARE",
                description = "Share of Chinese records (default: ${DEFAULT-VALUE}).")
        double chinese;

        @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "Where to write.")
        Path out;

        @Override
        public Integer call() {
            List<LabeledText> records = SyntheticPii.generate(count, seed, chinese);
            atomicWrite(out, w -> {
                for (LabeledText t : records) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("id", t.id());
                    o.put("text", t.text());
                    ArrayNode a = o.putArray("entities");
                    for (LabeledText.Span s : t.entities()) {
                        a.addObject().put("type", s.type().name()).put("start", s.start()).put("end", s.end());
                    }
                    w.write(JSON.writeValueAsString(o));
                    w.write('\n');
                }
            });
            spec.commandLine().getOut().printf(Locale.ROOT, "%,d labelled records (%.0f%% Chinese) -> %s%n", count,
                    chinese * 100, out);
            return 0;
        }
    }

    @Command(name = "deanonymize", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Restore the values that 'hearth data scrub' encrypted (<ENC:TYPE:...>) and, with the",
                "pseudonym mapping, the ones it pseudonymized (<PERSON_1>). Needs the master key the scrub used."})
    static final class Deanonymize implements Callable<Integer> {
        @ParentCommand
        PiiCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--in", required = true, paramLabel = "FILE", description = "A scrubbed text, JSON Lines or CSV file.")
        Path in;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the restored file.")
        Path out;

        @Option(names = "--key-file", paramLabel = "FILE", description = "The master key (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
        Path keyFile;

        @Option(names = "--mapping", paramLabel = "FILE",
                description = "The pseudonym mapping (default: <workspace>/pii/pseudonyms.henc, when it exists).")
        Path mapping;

        @Override
        public Integer call() throws IOException {
            MasterKey key = MasterKey.require(keyFile, System.getenv(), "deanonymizing");
            Path map = mapping != null ? mapping : defaultMapping(parent.root);
            if (mapping != null && !Files.exists(mapping)) {
                throw new PiiException("the pseudonym mapping " + mapping + " does not exist");
            }
            Pseudonyms p = Files.exists(map) ? Pseudonyms.load(map, key) : null;
            Deanonymizer d = new Deanonymizer(key, p);
            long[] lines = {0};
            try (BufferedReader r = reader(in)) {
                atomicWrite(out, w -> {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines[0]++;
                        w.write(d.deanonymize(line));
                        w.write('\n');
                    }
                });
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "%,d lines restored%s -> %s%n", lines[0],
                    p == null ? " (encrypted values only: no pseudonym mapping)" : " (with " + p.size() + " pseudonyms)", out);
            return 0;
        }
    }

    /** Where scrubs keep the pseudonym mapping unless told otherwise. */
    static Path defaultMapping(Hearth root) {
        return root.workspace().home().resolve("pii").resolve("pseudonyms.henc");
    }

    static List<String> typeNames() {
        return Arrays.stream(EntityType.values()).map(Enum::name).toList();
    }
}
