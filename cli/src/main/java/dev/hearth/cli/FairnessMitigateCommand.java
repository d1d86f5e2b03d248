package dev.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.guard.fairness.FairnessException;
import dev.hearth.guard.fairness.FairnessReport;
import dev.hearth.guard.fairness.GroupMetrics;
import dev.hearth.guard.fairness.ThresholdOptimizer;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.train.TabularModel;
import dev.hearth.lab.train.TabularTraining;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth fairness mitigate}: per-group randomized thresholds on a trained binary classifier. */
@Command(name = "mitigate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fit per-group randomized thresholds on a binary tabular classifier's scores (Fairlearn's",
            "ThresholdOptimizer approach) for demographic parity or equalized odds, on --fit data, and apply them to",
            "--apply data: prints the fairness metrics and accuracy before and after; writes thresholds.json,",
            "predictions.csv and report.json into --out. Reweighing is 'hearth train tabular --reweigh COL'."})
final class FairnessMitigateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A 'hearth train tabular' folder.")
    Path model;

    @Option(names = "--fit", required = true, paramLabel = "FILE.csv",
            description = "Labelled rows to choose the thresholds on (e.g. the model's data/validation.csv).")
    Path fit;

    @Option(names = "--apply", required = true, paramLabel = "FILE.csv",
            description = "Labelled rows to predict and report on (e.g. data/test.csv).")
    Path apply;

    @Option(names = "--sensitive", required = true, split = ",", paramLabel = "COL",
            description = "Sensitive columns; several are intersected into one group per row.")
    List<String> sensitive;

    @Option(names = "--constraint", required = true, paramLabel = "demographic_parity|equalized_odds",
            description = "The fairness constraint.")
    String constraint;

    @Option(names = "--positive", paramLabel = "VALUE", description = "The positive class (default: the model's second class).")
    String positive;

    @Option(names = "--grid", defaultValue = "1000", paramLabel = "N", description = "Grid steps over rates (default: ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the randomized predictions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for thresholds.json, predictions.csv, report.json.")
    Path out;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "Field delimiter (default: guessed: , ; or tab).")
    String delimiter;

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        ThresholdOptimizer.Constraint c = switch (constraint.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "demographic_parity", "dp" -> ThresholdOptimizer.Constraint.DEMOGRAPHIC_PARITY;
            case "equalized_odds", "eo" -> ThresholdOptimizer.Constraint.EQUALIZED_ODDS;
            default -> throw new FairnessException("unknown constraint '" + constraint
                    + "'; choose demographic_parity or equalized_odds");
        };
        TabularModel m = TabularModel.load(model);
        List<String> classes = m.classNames();
        if (classes.size() != 2) {
            throw new FairnessException("threshold mitigation is for binary classifiers; this model has " + classes.size()
                    + " classes " + classes);
        }
        String pos = positive != null ? positive : classes.get(1);
        int posId = classes.indexOf(pos);
        if (posId < 0) {
            throw new FairnessException("--positive '" + pos + "' is not one of the model's classes " + classes);
        }
        CsvTable fitTable = CsvTable.read(fit, delimiter);
        CsvTable applyTable = CsvTable.read(apply, delimiter);
        double[] fitScore = scores(m, fitTable, posId);
        boolean[] fitLabel = positives(m.encoder().labels(fitTable), posId);
        String[] fitGroup = TabularTraining.groups(fitTable, sensitive);
        ThresholdOptimizer.Fitted f = ThresholdOptimizer.fit(fitScore, fitLabel, fitGroup, c, grid);

        double[] score = scores(m, applyTable, posId);
        boolean[] label = positives(m.encoder().labels(applyTable), posId);
        String[] group = TabularTraining.groups(applyTable, sensitive);
        boolean[] before = new boolean[score.length];
        for (int i = 0; i < score.length; i++) {
            before[i] = score[i] > 0.5 || (score[i] == 0.5 && posId == 0); // the argmax prediction
        }
        boolean[] after = f.predict(score, group, seed);
        Map<String, String[]> features = new LinkedHashMap<>();
        for (String col : sensitive) {
            int k = applyTable.column(col);
            features.put(col, applyTable.rows().stream().map(r -> r[k].strip()).toArray(String[]::new));
        }
        var noBootstrap = new FairnessReport.Bootstrap(0, seed, 0.95);
        FairnessReport rb = FairnessReport.of(label, before, features, null, noBootstrap);
        FairnessReport ra = FairnessReport.of(label, after, features, null, noBootstrap);

        pw.printf(Locale.ROOT, "thresholds for %s on %s (%,d rows), chosen rate %.3f; applied to %s (%,d rows), seed %d%n",
                c.key(), fit, fitScore.length, f.rate(), apply, score.length, seed);
        pw.printf(Locale.ROOT, "%-32s %10s %10s%n", "", "before", "after");
        pw.printf(Locale.ROOT, "%-32s %10.4f %10.4f%n", "accuracy", rb.overall().accuracy(), ra.overall().accuracy());
        pw.printf(Locale.ROOT, "%-32s %10.4f %10.4f%n", "selection_rate", rb.overall().selectionRate(), ra.overall().selectionRate());
        for (var e : rb.metrics().asMap().entrySet()) {
            pw.printf(Locale.ROOT, "%-32s %10.4f %10.4f%n", e.getKey(), e.getValue(), ra.metrics().asMap().get(e.getKey()));
        }
        pw.printf(Locale.ROOT, "%n%-44s %19s %19s %19s%n", "group (before -> after)", "selected", "TPR", "FPR");
        var gb = rb.groups().get(String.join(",", sensitive));
        var ga = ra.groups().get(String.join(",", sensitive));
        for (String g : gb.keySet()) {
            GroupMetrics b = gb.get(g);
            GroupMetrics a = ga.get(g);
            pw.printf(Locale.ROOT, "%-44s %8.4f -> %6.4f %8.4f -> %6.4f %8.4f -> %6.4f%n", g, b.selectionRate(),
                    a.selectionRate(), b.truePositiveRate(), a.truePositiveRate(), b.falsePositiveRate(), a.falsePositiveRate());
        }

        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode t = json.createObjectNode();
        t.put("model", model.toString()).put("constraint", c.key()).put("positive", pos).put("rate", f.rate())
                .put("fit_accuracy", f.fitAccuracy()).put("fit_data", fit.toString()).put("seed", seed);
        ArrayNode sens = t.putArray("sensitive");
        sensitive.forEach(sens::add);
        ObjectNode rules = t.putObject("groups");
        f.rules().forEach((g, r) -> {
            ObjectNode n = rules.putObject(g);
            n.put("selection_rate", r.selectionRate()).put("true_positive_rate", r.truePositiveRate())
                    .put("false_positive_rate", r.falsePositiveRate());
            ArrayNode comps = n.putArray("components");
            for (var comp : r.components()) {
                ObjectNode x = comps.addObject();
                x.put("probability", comp.probability());
                if (Double.isNaN(comp.threshold())) {
                    x.put("random_positive_rate", comp.randomRate());
                } else if (Double.isInfinite(comp.threshold())) {
                    x.put("threshold", comp.threshold() > 0 ? "never" : "always");
                } else {
                    x.put("threshold", comp.threshold());
                }
            }
        });
        json.writeValue(out.resolve("thresholds.json").toFile(), t);
        ObjectNode rep = json.createObjectNode();
        rep.put("apply_data", apply.toString()).put("rows", score.length);
        ObjectNode b = rep.putObject("before");
        b.put("accuracy", rb.overall().accuracy());
        rb.metrics().asMap().forEach(b::put);
        ObjectNode a = rep.putObject("after");
        a.put("accuracy", ra.overall().accuracy());
        ra.metrics().asMap().forEach(a::put);
        json.writeValue(out.resolve("report.json").toFile(), rep);
        List<String> header = new ArrayList<>(applyTable.header());
        header.add("prediction");
        header.add("prediction_before");
        header.add("prob_" + pos);
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < score.length; i++) {
            String[] in = applyTable.rows().get(i);
            String[] o = java.util.Arrays.copyOf(in, header.size());
            o[in.length] = after[i] ? pos : classes.get(1 - posId);
            o[in.length + 1] = before[i] ? pos : classes.get(1 - posId);
            o[in.length + 2] = Double.toString(score[i]);
            rows.add(o);
        }
        CsvTable.write(out.resolve("predictions.csv"), applyTable.delimiter(), header, rows);
        pw.println("written: " + out.resolve("thresholds.json") + ", predictions.csv (columns prediction and"
                + " prediction_before, for 'hearth fairness report'), report.json");
        return 0;
    }

    private static double[] scores(TabularModel m, CsvTable t, int posId) {
        double[][] p = m.probabilities(m.encode(t));
        double[] s = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            s[i] = p[i][posId];
        }
        return s;
    }

    private static boolean[] positives(int[] y, int posId) {
        boolean[] out = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] == posId;
        }
        return out;
    }
}
