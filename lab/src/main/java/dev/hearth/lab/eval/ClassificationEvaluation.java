package dev.hearth.lab.eval;

import dev.hearth.lab.data.CsvTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Evaluates a classifier on several named sets at once: the {@link ClassificationMetrics} of each, seeded
 * percentile-bootstrap intervals on the headline metrics, each set's gap to the first (e.g. shifted minus
 * in-distribution), and latency and throughput on this machine.
 */
public final class ClassificationEvaluation {

    /** The metrics with bootstrap intervals and gaps, by the names used in report.json. */
    public static final List<String> HEADLINE = List.of("accuracy", "f1_macro", "f1_weighted", "roc_auc", "ece");

    /**
     * @param bootstrap resamples for the intervals (0 for none)
     * @param latencyCalls single-row predictions timed for the latency percentiles (0 to skip timing)
     */
    public record Options(int bootstrap, long seed, double level, int bins, int latencyCalls, int throughputBatch) {
        public Options {
            if (bootstrap < 0 || !(level > 0 && level < 1) || bins < 1 || latencyCalls < 0 || throughputBatch < 1) {
                throw new EvaluationException("bootstrap >= 0, a level within (0, 1), bins >= 1, latency calls >= 0 and"
                        + " a throughput batch >= 1 are needed");
            }
        }

        public static Options defaults() {
            return new Options(1000, 1, 0.95, ClassificationMetrics.DEFAULT_BINS, 300, 1024);
        }
    }

    /** One named set's results. */
    public record SetResult(String name, CsvTable table, int[] labels, double[][] probabilities,
                            ClassificationMetrics metrics, Map<String, Double> headline, Map<String, double[]> intervals,
                            Map<String, Double> gapToFirst, Map<String, Map<String, Integer>> assumptions) {}

    /** Milliseconds per single-row prediction (reading the row included) and rows per second in batches. */
    public record Latency(int calls, double p50Ms, double p95Ms, double p99Ms, int batchSize, double rowsPerSecond) {}

    public record Report(List<String> classes, String label, List<SetResult> sets, Latency latency, Options options) {}

    private ClassificationEvaluation() {}

    public static Report run(Classifier model, Map<String, CsvTable> sets, Options o) {
        if (sets.isEmpty()) {
            throw new EvaluationException("name at least one data set to evaluate on");
        }
        List<SetResult> results = new ArrayList<>();
        Map<String, Double> first = null;
        for (var e : sets.entrySet()) {
            CsvTable t = e.getValue();
            if (t.rows().isEmpty()) {
                throw new EvaluationException("the set '" + e.getKey() + "' (" + t.file() + ") has no rows");
            }
            int[] y = model.labels(t);
            double[][] p = model.probabilities(t);
            ClassificationMetrics m = ClassificationMetrics.of(y, p, model.classes(), o.bins());
            Map<String, Double> head = headline(m);
            Map<String, double[]> iv = intervals(y, p, model.classes(), o);
            Map<String, Double> gap = new LinkedHashMap<>();
            if (first != null) {
                for (String k : HEADLINE) {
                    gap.put(k, head.get(k) - first.get(k));
                }
            } else {
                first = head;
            }
            results.add(new SetResult(e.getKey(), t, y, p, m, head, iv, gap, model.assumptions(t)));
        }
        Latency latency = o.latencyCalls() == 0 ? null : latency(model, sets.values().iterator().next(), o);
        return new Report(model.classes(), model.label(), List.copyOf(results), latency, o);
    }

    static Map<String, Double> headline(ClassificationMetrics m) {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("accuracy", m.accuracy());
        h.put("f1_macro", m.macro().f1());
        h.put("f1_weighted", m.weighted().f1());
        h.put("roc_auc", m.rocAuc());
        h.put("ece", m.ece());
        return h;
    }

    /** Percentile intervals: rows resampled with replacement, seeded; resamples where a metric is NaN left out. */
    static Map<String, double[]> intervals(int[] y, double[][] p, List<String> classes, Options o) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (o.bootstrap() == 0) {
            return out;
        }
        int n = y.length;
        SplittableRandom rnd = new SplittableRandom(o.seed());
        Map<String, double[]> samples = new LinkedHashMap<>();
        HEADLINE.forEach(k -> samples.put(k, new double[o.bootstrap()]));
        int[] yb = new int[n];
        double[][] pb = new double[n][];
        for (int b = 0; b < o.bootstrap(); b++) {
            for (int i = 0; i < n; i++) {
                int j = rnd.nextInt(n);
                yb[i] = y[j];
                pb[i] = p[j];
            }
            Map<String, Double> h = headline(ClassificationMetrics.of(yb, pb, classes, o.bins()));
            for (String k : HEADLINE) {
                samples.get(k)[b] = h.get(k);
            }
        }
        double lo = (1 - o.level()) / 2;
        for (var e : samples.entrySet()) {
            double[] v = Arrays.stream(e.getValue()).filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length > 0) {
                out.put(e.getKey(), new double[] {quantile(v, lo), quantile(v, 1 - lo)});
            }
        }
        return out;
    }

    /** Linear interpolation between order statistics (numpy's default percentile). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    static Latency latency(Classifier model, CsvTable t, Options o) {
        int n = t.rows().size();
        int warm = Math.min(50, o.latencyCalls());
        for (int i = 0; i < warm; i++) {
            model.probabilities(t.subset(new int[] {i % n}));
        }
        double[] ms = new double[o.latencyCalls()];
        for (int i = 0; i < ms.length; i++) {
            CsvTable one = t.subset(new int[] {i % n});
            long t0 = System.nanoTime();
            model.probabilities(one);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        int batch = Math.min(o.throughputBatch(), n);
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            idx[i] = i;
        }
        CsvTable b = t.subset(idx);
        model.probabilities(b);
        long rows = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_000_000_000L) {
            model.probabilities(b);
            rows += batch;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Latency(ms.length, quantile(ms, 0.50), quantile(ms, 0.95), quantile(ms, 0.99), batch, rows / seconds);
    }
}
