package dev.hearth.lab.eval;

import dev.hearth.lab.plot.Html;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.plot.ClassificationPlots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a classification {@link ClassificationEvaluation.Report} into a folder: {@code report.json},
 * {@code report.html} with the plots ({@code roc.png}, {@code reliability.png}, {@code confusion-NAME.png}),
 * and {@code predictions-NAME.csv} (each set's rows with the columns {@code prediction} and
 * {@code prob_CLASS}, ready for {@code hearth fairness report}).
 */
public final class ClassificationReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClassificationReportWriter() {}

    public static void write(ClassificationEvaluation.Report r, String model, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), JSON.writeValueAsString(json(r, model)), StandardCharsets.UTF_8);
            plots(r, dir);
            for (var s : r.sets()) {
                predictions(s, r.classes(), dir.resolve("predictions-" + fileName(s.name()) + ".csv"));
            }
            Files.writeString(dir.resolve("report.html"), html(r, model), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HearthException("cannot write the evaluation report into " + dir + ": " + e.getMessage(), e);
        }
    }

    static String fileName(String set) {
        return set.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A number, or null for NaN (JSON has no NaN). */
    private static void put(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    static ObjectNode json(ClassificationEvaluation.Report r, String model) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        o.put("label", r.label());
        ArrayNode classes = o.putArray("classes");
        r.classes().forEach(classes::add);
        var opt = r.options();
        o.putObject("bootstrap").put("samples", opt.bootstrap()).put("seed", opt.seed()).put("level", opt.level());
        o.put("calibration_bins", opt.bins());
        ObjectNode sets = o.putObject("sets");
        for (var s : r.sets()) {
            ObjectNode n = sets.putObject(s.name());
            n.put("file", s.table().file().toString());
            ClassificationMetrics m = s.metrics();
            n.put("rows", m.count());
            put(n, "accuracy", m.accuracy());
            for (var avg : List.of(List.of("macro", m.macro()), List.of("micro", m.micro()), List.of("weighted", m.weighted()))) {
                var a = (ClassificationMetrics.Average) avg.get(1);
                put(n, "precision_" + avg.get(0), a.precision());
                put(n, "recall_" + avg.get(0), a.recall());
                put(n, "f1_" + avg.get(0), a.f1());
            }
            put(n, "roc_auc", m.rocAuc());
            put(n, "log_loss", m.logLoss());
            put(n, "ece", m.ece());
            ObjectNode per = n.putObject("per_class");
            for (int c = 0; c < m.perClass().size(); c++) {
                var pc = m.perClass().get(c);
                ObjectNode x = per.putObject(pc.name());
                put(x, "precision", pc.precision());
                put(x, "recall", pc.recall());
                put(x, "f1", pc.f1());
                x.put("support", pc.support());
                put(x, "roc_auc", m.rocAucPerClass()[c]);
            }
            ArrayNode conf = n.putArray("confusion_matrix");
            for (long[] row : m.confusion()) {
                ArrayNode a = conf.addArray();
                for (long v : row) {
                    a.add(v);
                }
            }
            ArrayNode rel = n.putArray("reliability");
            for (var b : m.reliability()) {
                ObjectNode x = rel.addObject();
                x.put("low", b.low()).put("high", b.high()).put("count", b.count());
                put(x, "confidence", b.confidence());
                put(x, "accuracy", b.accuracy());
            }
            ObjectNode iv = n.putObject("intervals");
            s.intervals().forEach((k, v) -> iv.putArray(k).add(v[0]).add(v[1]));
            if (!s.gapToFirst().isEmpty()) {
                ObjectNode g = n.putObject("gap_to_first");
                s.gapToFirst().forEach((k, v) -> put(g, k, v));
            }
            ObjectNode as = n.putObject("assumptions");
            s.assumptions().forEach((k, v) -> {
                ObjectNode x = as.putObject(k);
                v.forEach(x::put);
            });
        }
        if (r.latency() != null) {
            var l = r.latency();
            o.putObject("latency").put("single_row_calls", l.calls()).put("p50_ms", l.p50Ms()).put("p95_ms", l.p95Ms())
                    .put("p99_ms", l.p99Ms()).put("throughput_batch", l.batchSize())
                    .put("throughput_rows_per_second", l.rowsPerSecond())
                    .put("cores", Runtime.getRuntime().availableProcessors());
        }
        return o;
    }

    private static void plots(ClassificationEvaluation.Report r, Path dir) {
        List<ClassificationPlots.Curve> roc = new ArrayList<>();
        List<ClassificationPlots.Curve> rel = new ArrayList<>();
        boolean binary = r.classes().size() == 2;
        for (var s : r.sets()) {
            int n = s.labels().length;
            List<Integer> classes = binary ? List.of(1) : java.util.stream.IntStream.range(0, Math.min(10, r.classes().size()))
                    .boxed().toList();
            for (int c : classes) {
                boolean[] pos = new boolean[n];
                double[] score = new double[n];
                for (int i = 0; i < n; i++) {
                    pos[i] = s.labels()[i] == c;
                    score[i] = s.probabilities()[i][c];
                }
                double[][] curve = ClassificationMetrics.roc(pos, score);
                double auc = s.metrics().rocAucPerClass()[c];
                String name = (r.sets().size() > 1 || binary ? s.name() : "") + (binary ? "" : " " + r.classes().get(c))
                        + String.format(Locale.ROOT, " (AUC %.3f)", auc);
                roc.add(new ClassificationPlots.Curve(name.strip(), curve[0], curve[1]));
            }
            var bins = s.metrics().reliability().stream().filter(b -> b.count() > 0).toList();
            rel.add(new ClassificationPlots.Curve(String.format(Locale.ROOT, "%s (ECE %.3f)", s.name(), s.metrics().ece()),
                    bins.stream().mapToDouble(ClassificationMetrics.Bin::confidence).toArray(),
                    bins.stream().mapToDouble(ClassificationMetrics.Bin::accuracy).toArray()));
            ClassificationPlots.confusion(dir.resolve("confusion-" + fileName(s.name()) + ".png"),
                    "confusion matrix: " + s.name(), r.classes(), s.metrics().confusion());
        }
        ClassificationPlots.roc(dir.resolve("roc.png"), binary ? "ROC curve, class " + r.classes().get(1) : "ROC curves, one vs rest", roc);
        ClassificationPlots.reliability(dir.resolve("reliability.png"), "reliability diagram", rel);
    }

    private static void predictions(ClassificationEvaluation.SetResult s, List<String> classes, Path file) {
        List<String> header = new ArrayList<>(s.table().header());
        header.add("prediction");
        classes.forEach(c -> header.add("prob_" + c));
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < s.labels().length; i++) {
            String[] in = s.table().rows().get(i);
            String[] out = java.util.Arrays.copyOf(in, header.size());
            double[] p = s.probabilities()[i];
            out[in.length] = classes.get(ClassificationMetrics.argmax(p));
            for (int c = 0; c < classes.size(); c++) {
                out[in.length + 1 + c] = Double.toString(p[c]);
            }
            rows.add(out);
        }
        CsvTable.write(file, s.table().delimiter(), header, rows);
    }

    private static String esc(String s) {
        return Html.escape(s);
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String html(ClassificationEvaluation.Report r, String model) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation: ")
                .append(esc(model)).append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:72em}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
                + "th:first-child,td:first-child{text-align:left}img{max-width:100%;margin:.5em 1em .5em 0}"
                + ".neg{color:#b00}.pos{color:#070}</style></head><body>\n");
        h.append("<h1>Evaluation of ").append(esc(model)).append("</h1>\n<p>Label <code>").append(esc(r.label()))
                .append("</code>, classes ").append(esc(String.join(", ", r.classes()))).append(". Intervals: ")
                .append(String.format(Locale.ROOT, "%.0f%% percentile bootstrap, %d resamples, seed %d.",
                        100 * r.options().level(), r.options().bootstrap(), r.options().seed())).append("</p>\n");
        h.append("<h2>Headline metrics</h2>\n<table><tr><th>set</th><th>rows</th>");
        for (String k : ClassificationEvaluation.HEADLINE) {
            h.append("<th>").append(k).append("</th>");
        }
        h.append("</tr>\n");
        for (var s : r.sets()) {
            h.append("<tr><td>").append(esc(s.name())).append("</td><td>").append(s.metrics().count()).append("</td>");
            for (String k : ClassificationEvaluation.HEADLINE) {
                double[] iv = s.intervals().get(k);
                h.append("<td>").append(f(s.headline().get(k)));
                if (iv != null) {
                    h.append("<br><small>[").append(f(iv[0])).append(", ").append(f(iv[1])).append("]</small>");
                }
                Double gap = s.gapToFirst().get(k);
                if (gap != null && !gap.isNaN()) {
                    h.append("<br><small class=\"").append(gap < 0 ? "neg" : "pos").append("\">")
                            .append(String.format(Locale.ROOT, "%+.4f vs %s", gap, esc(r.sets().getFirst().name())))
                            .append("</small>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<img src=\"roc.png\" alt=\"ROC curves\"><img src=\"reliability.png\" alt=\"reliability diagram\">\n");
        for (var s : r.sets()) {
            ClassificationMetrics m = s.metrics();
            h.append("<h2>Set ").append(esc(s.name())).append("</h2>\n<p><code>").append(esc(s.table().file().toString()))
                    .append("</code>, ").append(m.count()).append(" rows; log loss ").append(f(m.logLoss())).append("</p>\n");
            s.assumptions().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    h.append("<p>").append(esc(k.replace('_', ' '))).append(": ").append(esc(v.toString())).append("</p>\n");
                }
            });
            h.append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th>ROC-AUC</th></tr>\n");
            for (int c = 0; c < m.perClass().size(); c++) {
                var pc = m.perClass().get(c);
                h.append("<tr><td>").append(esc(pc.name())).append("</td><td>").append(f(pc.precision())).append("</td><td>")
                        .append(f(pc.recall())).append("</td><td>").append(f(pc.f1())).append("</td><td>").append(pc.support())
                        .append("</td><td>").append(f(m.rocAucPerClass()[c])).append("</td></tr>\n");
            }
            for (var avg : List.of(List.of("macro", m.macro()), List.of("micro", m.micro()), List.of("weighted", m.weighted()))) {
                var a = (ClassificationMetrics.Average) avg.get(1);
                h.append("<tr><td><i>").append(avg.get(0)).append("</i></td><td>").append(f(a.precision())).append("</td><td>")
                        .append(f(a.recall())).append("</td><td>").append(f(a.f1())).append("</td><td></td><td></td></tr>\n");
            }
            h.append("</table>\n<img src=\"confusion-").append(esc(fileName(s.name()))).append(".png\" alt=\"confusion matrix\">\n");
        }
        if (r.latency() != null) {
            var l = r.latency();
            h.append("<h2>Speed on this machine</h2>\n<p>")
                    .append(String.format(Locale.ROOT, "One row at a time (%d calls, reading the row included): p50 %.3f ms,"
                            + " p95 %.3f ms, p99 %.3f ms. Batches of %d: %,.0f rows/s. %d cores.", l.calls(), l.p50Ms(),
                            l.p95Ms(), l.p99Ms(), l.batchSize(), l.rowsPerSecond(), Runtime.getRuntime().availableProcessors()))
                    .append("</p>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }
}
