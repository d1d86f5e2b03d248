package dev.hearth.guard.fairness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A fairness report over labelled predictions: per group (each value of each sensitive feature,
 * and the intersections of all of them) the count, selection rate, accuracy and true and false
 * positive rates; the {@link FairnessMetrics} between the intersectional groups and within each
 * feature; and percentile bootstrap intervals for the metrics (rows resampled with replacement,
 * seeded, so the same seed gives the same intervals).
 *
 * @param rows      rows scored
 * @param overall   the whole set as one group
 * @param groups    feature name (or "a,b" for the intersection) to group label ({@code sex=Female}) to metrics
 * @param metrics   between the intersectional groups (the groups of all sensitive features together)
 * @param byFeature the metrics within each single feature, when there are several
 * @param intervals metric name to its [low, high] bootstrap interval
 */
public record FairnessReport(int rows, GroupMetrics overall, Map<String, Map<String, GroupMetrics>> groups,
                             FairnessMetrics metrics, Map<String, FairnessMetrics> byFeature,
                             Map<String, double[]> intervals, Bootstrap bootstrap) {

    /** How the intervals were made. */
    public record Bootstrap(int samples, long seed, double level) {}

    /**
     * @param label      the true class of each row (positive = true)
     * @param prediction the predicted class of each row
     * @param features   sensitive feature name to each row's value, in the order to report them
     * @param privileged the privileged group's label for disparate impact ({@code sex=Male}), or null
     */
    public static FairnessReport of(boolean[] label, boolean[] prediction, Map<String, String[]> features,
                                    String privileged, Bootstrap bootstrap) {
        int n = label.length;
        if (prediction.length != n) {
            throw new FairnessException(n + " labels but " + prediction.length + " predictions");
        }
        if (n == 0) {
            throw new FairnessException("there are no rows to report on");
        }
        if (features.isEmpty()) {
            throw new FairnessException("name at least one sensitive feature");
        }
        for (Map.Entry<String, String[]> f : features.entrySet()) {
            if (f.getValue().length != n) {
                throw new FairnessException("feature " + f.getKey() + " has " + f.getValue().length + " values for " + n + " rows");
            }
        }
        if (bootstrap.samples() < 0 || !(bootstrap.level() > 0 && bootstrap.level() < 1)) {
            throw new FairnessException("bootstrap samples must be ≥ 0 and the level within (0, 1)");
        }
        List<String> names = List.copyOf(features.keySet());
        String[] intersection = new String[n];
        for (int r = 0; r < n; r++) {
            StringBuilder sb = new StringBuilder();
            for (String name : names) {
                sb.append(sb.isEmpty() ? "" : ", ").append(name).append('=').append(features.get(name)[r]);
            }
            intersection[r] = sb.toString();
        }
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        Map<String, Map<String, GroupMetrics>> groups = new LinkedHashMap<>();
        Map<String, FairnessMetrics> byFeature = new LinkedHashMap<>();
        if (names.size() > 1) {
            for (String name : names) {
                String[] key = prefixed(name, features.get(name));
                Map<String, GroupMetrics> g = group(label, prediction, key, all);
                groups.put(name, g);
                byFeature.put(name, FairnessMetrics.between(g, g.containsKey(privileged) ? privileged : null));
            }
        }
        Map<String, GroupMetrics> inter = group(label, prediction, intersection, all);
        groups.put(String.join(",", names), inter);
        if (privileged != null && groups.values().stream().noneMatch(g -> g.containsKey(privileged))) {
            throw new FairnessException("the privileged group '" + privileged + "' is not among the groups "
                    + groups.values().stream().flatMap(g -> g.keySet().stream()).toList());
        }
        String interPrivileged = inter.containsKey(privileged) ? privileged : null;
        FairnessMetrics metrics = FairnessMetrics.between(inter, interPrivileged);

        Map<String, double[]> intervals = new LinkedHashMap<>();
        if (bootstrap.samples() > 0) {
            Map<String, double[]> draws = new LinkedHashMap<>();
            metrics.asMap().keySet().forEach(k -> draws.put(k, new double[bootstrap.samples()]));
            SplittableRandom rng = new SplittableRandom(bootstrap.seed());
            Groups interGroups = Groups.of(intersection);
            int[] rows = new int[n];
            int kept = 0;
            for (int b = 0; b < bootstrap.samples(); b++) {
                for (int r = 0; r < n; r++) {
                    rows[r] = rng.nextInt(n);
                }
                Map<String, GroupMetrics> g = group(label, prediction, interGroups, rows);
                if (g.size() != inter.size()) {
                    continue; // a resample that lost a group says nothing about the gap between groups
                }
                Map<String, Double> m = FairnessMetrics.between(g, interPrivileged).asMap();
                for (var e : m.entrySet()) {
                    draws.get(e.getKey())[kept] = e.getValue();
                }
                kept++;
            }
            double lo = (1 - bootstrap.level()) / 2;
            for (var e : draws.entrySet()) {
                double[] d = Arrays.copyOf(e.getValue(), kept);
                Arrays.sort(d);
                intervals.put(e.getKey(), kept == 0 ? new double[] {Double.NaN, Double.NaN}
                        : new double[] {quantile(d, lo), quantile(d, 1 - lo)});
            }
        }
        GroupMetrics overall = group(label, prediction, new String[n], all).values().iterator().next();
        return new FairnessReport(n, overall, groups, metrics, byFeature, intervals, bootstrap);
    }

    private static String[] prefixed(String name, String[] values) {
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = name + "=" + values[i];
        }
        return out;
    }

    /** Each row's group as an index into the sorted group names: counting then needs no map. */
    private record Groups(String[] names, int[] of) {
        static Groups of(String[] key) {
            TreeMap<String, Integer> ids = new TreeMap<>();
            for (String k : key) {
                ids.putIfAbsent(k == null ? "all" : k, 0);
            }
            String[] names = ids.keySet().toArray(String[]::new);
            for (int i = 0; i < names.length; i++) {
                ids.put(names[i], i);
            }
            int[] of = new int[key.length];
            for (int r = 0; r < key.length; r++) {
                of[r] = ids.get(key[r] == null ? "all" : key[r]);
            }
            return new Groups(names, of);
        }
    }

    /** Confusion counts per group over the rows {@code rows} (indices, repeats allowed), groups in name order. */
    private static Map<String, GroupMetrics> group(boolean[] label, boolean[] pred, String[] key, int[] rows) {
        return group(label, pred, Groups.of(key), rows);
    }

    private static Map<String, GroupMetrics> group(boolean[] label, boolean[] pred, Groups groups, int[] rows) {
        double[][] c = new double[groups.names().length][4];
        for (int r : rows) {
            c[groups.of()[r]][label[r] ? (pred[r] ? 0 : 3) : (pred[r] ? 1 : 2)]++;
        }
        Map<String, GroupMetrics> out = new LinkedHashMap<>();
        for (int g = 0; g < c.length; g++) {
            if (c[g][0] + c[g][1] + c[g][2] + c[g][3] > 0) {
                out.put(groups.names()[g], GroupMetrics.of(c[g][0], c[g][1], c[g][2], c[g][3]));
            }
        }
        return out;
    }

    /** Linear interpolation between order statistics (numpy's default percentile). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    /** The feature names reported. */
    public List<String> features() {
        return new ArrayList<>(groups.keySet());
    }
}
