package dev.hearth.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.hearth.guard.fairness.FairnessException;
import dev.hearth.guard.fairness.FairnessMetrics;
import dev.hearth.guard.fairness.FairnessReport;
import dev.hearth.lab.eval.FairnessReportPage;
import dev.hearth.guard.fairness.GroupMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth fairness}: group-fairness reports. */
@Command(name = "fairness", mixinStandardHelpOptions = true,
        description = "Group fairness of a classifier's predictions; see the subcommands and docs/fairness.md.",
        subcommands = {FairnessCommand.Report.class, FairnessMitigateCommand.class})
final class FairnessCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: report, mitigate");
    }

    @Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Per group (and intersections of several sensitive columns): count, selection rate, accuracy,",
                "true and false positive rates; demographic_parity_difference/_ratio, equalized_odds_difference/_ratio",
                "(Fairlearn's definitions) and disparate_impact, with bootstrap intervals. Reads a CSV with a header."})
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--in", required = true, paramLabel = "FILE.csv", description = "Rows with a label and a prediction.")
        Path in;

        @Option(names = "--label", required = true, paramLabel = "COL", description = "The true class column.")
        String label;

        @Option(names = "--prediction", required = true, paramLabel = "COL", description = "The predicted class column.")
        String prediction;

        @Option(names = "--sensitive", required = true, split = ",", paramLabel = "COL",
                description = "Sensitive columns; several give their intersections too.")
        List<String> sensitive;

        @Option(names = "--positive", paramLabel = "VALUE",
                description = "The positive class (default: 1, true or yes when the columns hold those).")
        String positive;

        @Option(names = "--threshold", paramLabel = "T",
                description = "The prediction column holds scores: positive when score ≥ T.")
        Double threshold;

        @Option(names = "--privileged", paramLabel = "GROUP",
                description = "For disparate impact, the privileged group, as the report names it: sex=Male.")
        String privileged;

        @Option(names = "--delimiter", paramLabel = "CHAR", description = "Field delimiter (default: guessed from the header: , ; or tab).")
        String delimiter;

        @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N",
                description = "Bootstrap resamples for the intervals; 0 for none (default: ${DEFAULT-VALUE}).")
        int bootstrap;

        @Option(names = "--level", defaultValue = "0.95", paramLabel = "L", description = "Interval level (default: ${DEFAULT-VALUE}).")
        double level;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "FILE.json", description = "Write the report as JSON.")
        Path out;

        @Option(names = "--html", paramLabel = "FILE.html",
                description = "Write the report as one HTML page, with a bar chart of each group's rates.")
        Path html;

        @Override
        public Integer call() throws IOException {
            Table t = Table.read(in, delimiter);
            int li = t.column(label);
            int pi = t.column(prediction);
            List<Integer> si = sensitive.stream().map(t::column).toList();
            String pos = positive != null ? positive : defaultPositive(t, li, pi);
            boolean[] y = classes(t, li, pos, null);
            boolean[] p = classes(t, pi, pos, threshold);
            Map<String, String[]> features = new LinkedHashMap<>();
            for (int k = 0; k < sensitive.size(); k++) {
                int col = si.get(k);
                features.put(sensitive.get(k), t.rows.stream().map(r -> r[col].isEmpty() ? "(missing)" : r[col])
                        .toArray(String[]::new));
            }
            FairnessReport r = FairnessReport.of(y, p, features, privileged,
                    new FairnessReport.Bootstrap(bootstrap, seed, level));
            ObjectNode json = json(r, pos);
            PrintWriter pw = spec.commandLine().getOut();
            print(pw, r, pos);
            if (out != null) {
                PiiCommand.atomicWrite(out, w -> w.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(json)));
                pw.println("report: " + out);
            }
            if (html != null) {
                String page = FairnessReportPage.html(r, in.getFileName().toString(), pos);
                PiiCommand.atomicWrite(html, w -> w.write(page));
                pw.println("page: " + html);
            }
            return 0;
        }

        private String defaultPositive(Table t, int li, int pi) {
            TreeSet<String> values = new TreeSet<>();
            t.rows.forEach(r -> values.add(r[li]));
            for (String candidate : List.of("1", "true", "True", "TRUE", "yes", "Yes", "1.0")) {
                if (values.contains(candidate)) {
                    return candidate;
                }
            }
            throw new FairnessException("which " + label + " value is the positive class? It holds " + values
                    + "; name it with --positive");
        }

        private boolean[] classes(Table t, int col, String pos, Double scoreThreshold) {
            boolean[] out = new boolean[t.rows.size()];
            TreeSet<String> negatives = new TreeSet<>();
            for (int r = 0; r < out.length; r++) {
                String v = t.rows.get(r)[col];
                if (scoreThreshold != null && col != t.column(label)) {
                    try {
                        out[r] = Double.parseDouble(v) >= scoreThreshold;
                    } catch (NumberFormatException e) {
                        throw new FairnessException(in + " row " + (r + 1) + ": " + t.header[col] + " is '" + v
                                + "', not a score; drop --threshold for class labels");
                    }
                    continue;
                }
                out[r] = v.equals(pos);
                if (!out[r]) {
                    negatives.add(v);
                    if (negatives.size() > 1) {
                        throw new FairnessException(t.header[col] + " holds more than two classes (" + pos + ", "
                                + String.join(", ", negatives) + "); a fairness report is for a binary classifier");
                    }
                }
            }
            return out;
        }

        private ObjectNode json(FairnessReport r, String pos) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("input", in.toString());
            o.put("rows", r.rows());
            o.put("label", label);
            o.put("prediction", prediction);
            o.put("positive", pos);
            ArrayNode s = o.putArray("sensitive");
            sensitive.forEach(s::add);
            if (privileged != null) {
                o.put("privileged", privileged);
            }
            r.metrics().asMap().forEach(o::put);
            ObjectNode iv = o.putObject("intervals");
            r.intervals().forEach((k, v) -> iv.putArray(k).add(v[0]).add(v[1]));
            o.putObject("bootstrap").put("samples", bootstrap).put("seed", seed).put("level", level);
            o.set("overall", group(m, r.overall()));
            ObjectNode groups = o.putObject("groups");
            r.groups().forEach((feature, gs) -> {
                ObjectNode f = groups.putObject(feature);
                gs.forEach((name, g) -> f.set(name, group(m, g)));
            });
            ObjectNode by = o.putObject("by_feature");
            r.byFeature().forEach((feature, fm) -> {
                ObjectNode f = by.putObject(feature);
                fm.asMap().forEach(f::put);
            });
            return o;
        }

        private static ObjectNode group(ObjectMapper m, GroupMetrics g) {
            ObjectNode n = m.createObjectNode();
            n.put("count", (long) g.count());
            n.put("selection_rate", g.selectionRate());
            n.put("accuracy", g.accuracy());
            n.put("true_positive_rate", g.truePositiveRate());
            n.put("false_positive_rate", g.falsePositiveRate());
            n.put("false_negative_rate", g.falseNegativeRate());
            return n;
        }

        private void print(PrintWriter pw, FairnessReport r, String pos) {
            pw.printf(Locale.ROOT, "%,d rows; positive class '%s'; overall accuracy %.4f, selection rate %.4f%n",
                    r.rows(), pos, r.overall().accuracy(), r.overall().selectionRate());
            r.groups().forEach((feature, gs) -> {
                pw.printf(Locale.ROOT, "%n%-40s %8s %9s %9s %9s %9s%n", feature, "count", "selected", "accuracy", "TPR", "FPR");
                gs.forEach((name, g) -> pw.printf(Locale.ROOT, "%-40s %8d %9.4f %9.4f %9.4f %9.4f%n", name, (long) g.count(),
                        g.selectionRate(), g.accuracy(), g.truePositiveRate(), g.falsePositiveRate()));
            });
            pw.println();
            FairnessMetrics fm = r.metrics();
            for (var e : fm.asMap().entrySet()) {
                double[] iv = r.intervals().get(e.getKey());
                pw.printf(Locale.ROOT, "%-32s %.4f%s%n", e.getKey(), e.getValue(),
                        iv == null ? "" : String.format(Locale.ROOT, "  [%.4f, %.4f]", iv[0], iv[1]));
            }
            if (!r.intervals().isEmpty()) {
                pw.printf(Locale.ROOT, "(%s%% bootstrap intervals, %d resamples, seed %d)%n",
                        new java.text.DecimalFormat("0.#").format(level * 100), bootstrap, seed);
            }
        }
    }

    /** A CSV file with a header, every row checked to have the header's cells. */
    record Table(String[] header, List<String[]> rows) {
        static Table read(Path file, String delimiter) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new FairnessException("the input " + file + " does not exist");
            }
            char sep;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String first = r.readLine();
                if (first == null) {
                    throw new FairnessException(file + " is empty");
                }
                sep = delimiter != null ? (delimiter.equals("tab") ? '\t' : delimiter.charAt(0)) : guess(first);
            }
            CsvMapper mapper = new CsvMapper();
            mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            List<String[]> rows = new ArrayList<>();
            String[] header;
            try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
                    .with(CsvSchema.emptySchema().withColumnSeparator(sep)).readValues(file.toFile())) {
                header = it.nextValue();
                long n = 0;
                while (it.hasNextValue()) {
                    String[] row = it.nextValue();
                    n++;
                    if (row.length == 1 && row[0].isEmpty()) {
                        continue; // a blank line
                    }
                    if (row.length != header.length) {
                        throw new FairnessException(file + " row " + n + " has " + row.length + " cells, the header "
                                + header.length + (delimiter == null ? " (the delimiter was guessed as '"
                                + (sep == '\t' ? "tab" : String.valueOf(sep)) + "'; set it with --delimiter)" : ""));
                    }
                    rows.add(row);
                }
            } catch (RuntimeException e) {
                if (e instanceof FairnessException) {
                    throw e;
                }
                throw new FairnessException(file + " is not valid CSV: " + e.getMessage().lines().findFirst().orElse(""));
            }
            return new Table(header, rows);
        }

        private static char guess(String header) {
            long semis = header.chars().filter(c -> c == ';').count();
            long tabs = header.chars().filter(c -> c == '\t').count();
            long commas = header.chars().filter(c -> c == ',').count();
            return tabs > commas && tabs > semis ? '\t' : semis > commas ? ';' : ',';
        }

        int column(String name) {
            int k = Arrays.asList(header).indexOf(name);
            if (k < 0) {
                throw new FairnessException("there is no column '" + name + "'; the columns are " + String.join(", ", header));
            }
            return k;
        }
    }
}
