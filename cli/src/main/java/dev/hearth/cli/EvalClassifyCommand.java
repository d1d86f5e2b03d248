package dev.hearth.cli;

import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.eval.ClassificationEvaluation;
import dev.hearth.lab.eval.ClassificationMetrics;
import dev.hearth.lab.eval.ClassificationReportWriter;
import dev.hearth.lab.eval.Classifier;
import dev.hearth.lab.eval.EvaluationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth eval classify}: a classifier's metrics on one or more named sets, as JSON and HTML. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a classifier (a 'hearth train tabular' folder or a 'hearth demo digits' run) on",
            "named CSV sets: accuracy, precision, recall, F1 (macro, micro, weighted), confusion matrix, ROC-AUC, log loss, ECE with a reliability diagram,",
            "bootstrap intervals, each set's gap to the first, latency and throughput. Writes report.json, report.html,",
            "the plots and predictions-NAME.csv into --out. See docs/evaluation.md."})
final class EvalClassifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "NAME=FILE.csv",
            description = "A named set (repeatable; the first is the reference for the gaps).")
    List<String> data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the report.")
    Path out;

    @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N",
            description = "Bootstrap resamples; 0 for none (default: ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--level", defaultValue = "0.95", paramLabel = "L", description = "Interval level (default: ${DEFAULT-VALUE}).")
    double level;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bins", defaultValue = "10", paramLabel = "N", description = "Calibration bins (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--latency-calls", defaultValue = "300", paramLabel = "N",
            description = "Single-row predictions timed; 0 skips timing (default: ${DEFAULT-VALUE}).")
    int latencyCalls;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "Field delimiter (default: guessed: , ; or tab).")
    String delimiter;

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        Map<String, CsvTable> sets = new LinkedHashMap<>();
        for (String d : data) {
            int eq = d.indexOf('=');
            if (eq <= 0 || eq == d.length() - 1) {
                throw new EvaluationException("--data takes NAME=FILE.csv (e.g. --data test=test.csv); got '" + d + "'");
            }
            String name = d.substring(0, eq);
            if (sets.containsKey(name)) {
                throw new EvaluationException("the set name '" + name + "' is given twice; name each --data differently");
            }
            sets.put(name, CsvTable.read(Path.of(d.substring(eq + 1)), delimiter));
        }
        Classifier c = Classifier.load(model);
        var opts = new ClassificationEvaluation.Options(bootstrap, seed, level, bins, latencyCalls, 1024);
        ClassificationEvaluation.Report r = ClassificationEvaluation.run(c, sets, opts);
        ClassificationReportWriter.write(r, model.toString(), out);
        pw.printf(Locale.ROOT, "%-14s %7s %-26s %-26s %-26s %-26s%n", "set", "rows", "accuracy", "F1 macro", "ROC-AUC", "ECE");
        for (var s : r.sets()) {
            pw.printf(Locale.ROOT, "%-14s %7d %-26s %-26s %-26s %-26s%n", s.name(), s.metrics().count(),
                    cell(s, "accuracy"), cell(s, "f1_macro"), cell(s, "roc_auc"), cell(s, "ece"));
        }
        for (var s : r.sets()) {
            if (!s.gapToFirst().isEmpty()) {
                pw.printf(Locale.ROOT, "gap %s - %s: accuracy %+.4f, F1 macro %+.4f, ROC-AUC %+.4f, ECE %+.4f%n", s.name(),
                        r.sets().getFirst().name(), s.gapToFirst().get("accuracy"), s.gapToFirst().get("f1_macro"),
                        s.gapToFirst().get("roc_auc"), s.gapToFirst().get("ece"));
            }
            s.assumptions().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    pw.println(s.name() + ": " + k.replace('_', ' ') + " " + v);
                }
            });
        }
        ClassificationMetrics m = r.sets().getFirst().metrics();
        pw.println("confusion matrix (" + r.sets().getFirst().name() + "; rows true, columns predicted: "
                + String.join(", ", r.classes()) + "):");
        for (long[] row : m.confusion()) {
            StringBuilder b = new StringBuilder(" ");
            for (long v : row) {
                b.append(String.format(Locale.ROOT, " %8d", v));
            }
            pw.println(b);
        }
        if (bootstrap > 0) {
            pw.printf(Locale.ROOT, "(%.0f%% bootstrap intervals, %d resamples, seed %d)%n", 100 * level, bootstrap, seed);
        }
        if (r.latency() != null) {
            var l = r.latency();
            pw.printf(Locale.ROOT, "latency, one row: p50 %.3f ms, p95 %.3f ms, p99 %.3f ms; throughput %,.0f rows/s in"
                    + " batches of %d%n", l.p50Ms(), l.p95Ms(), l.p99Ms(), l.rowsPerSecond(), l.batchSize());
        }
        pw.println("report: " + out.resolve("report.html") + " and report.json");
        return 0;
    }

    private static String cell(ClassificationEvaluation.SetResult s, String k) {
        double v = s.headline().get(k);
        double[] iv = s.intervals().get(k);
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return iv == null ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", v, iv[0], iv[1]);
    }
}
