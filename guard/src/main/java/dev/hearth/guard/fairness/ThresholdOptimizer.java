package dev.hearth.guard.fairness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A mitigation applied after training: per group, a randomized threshold on the classifier's score, chosen
 * so the groups satisfy demographic parity (equal selection rates) or equalized odds (equal true and false
 * positive rates) at the best accuracy that allows, as Fairlearn's {@code ThresholdOptimizer} does (Hardt,
 * Price and Srebro 2016).
 *
 * <p>Each group's thresholds trace a curve from "nobody selected" to "everybody selected": selection rate
 * against the share of the group that is a true positive (demographic parity), or false against true
 * positive rate (equalized odds, the ROC curve). Any point on the upper convex hull of that curve is reached
 * by choosing at random between the two thresholds at the ends of a hull segment. For demographic parity a
 * grid of {@code grid + 1} common selection rates is searched; for equalized odds a grid of common false
 * positive rates, each with the largest true positive rate all groups can reach (the lowest hull), reached
 * by a group whose hull lies above it by mixing in a classifier that selects at random at the false positive
 * rate. The rate with the highest accuracy on the fitting data wins. Predictions draw from a seeded random
 * source, so the same seed gives the same predictions.
 */
public final class ThresholdOptimizer {

    public enum Constraint {
        DEMOGRAPHIC_PARITY, EQUALIZED_ODDS;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One part of a group's rule: with {@code probability}, predict positive when the score ≥ {@code threshold}
     * (+Infinity: never; -Infinity: always), or, when {@code threshold} is NaN, positive with probability
     * {@code randomRate} regardless of the score.
     */
    public record Component(double probability, double threshold, double randomRate) {}

    /** A group's randomized rule and what it achieves on the fitting data. */
    public record Rule(String group, List<Component> components, double selectionRate, double truePositiveRate,
                       double falsePositiveRate) {
        /** The probability of predicting positive for {@code score}. */
        public double positiveProbability(double score) {
            double p = 0;
            for (Component c : components) {
                p += c.probability() * (Double.isNaN(c.threshold()) ? c.randomRate() : score >= c.threshold() ? 1 : 0);
            }
            return p;
        }
    }

    /** The fitted optimizer: the constraint, the common rate chosen, the fitting accuracy and each group's rule. */
    public record Fitted(Constraint constraint, double rate, double fitAccuracy, Map<String, Rule> rules) {

        /** Seeded randomized predictions; a group that was not in the fitting data is an error naming the row. */
        public boolean[] predict(double[] score, String[] group, long seed) {
            if (score.length != group.length) {
                throw new FairnessException(score.length + " scores but " + group.length + " group values; they must be"
                        + " one per row");
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            boolean[] out = new boolean[score.length];
            for (int i = 0; i < score.length; i++) {
                Rule r = rule(group[i], i);
                double u = rnd.nextDouble();
                double acc = 0;
                Component chosen = r.components().getLast();
                for (Component c : r.components()) {
                    acc += c.probability();
                    if (u < acc) {
                        chosen = c;
                        break;
                    }
                }
                out[i] = Double.isNaN(chosen.threshold()) ? rnd.nextDouble() < chosen.randomRate()
                        : score[i] >= chosen.threshold();
            }
            return out;
        }

        /** Each row's probability of a positive prediction (the expectation of {@link #predict}). */
        public double[] positiveProbabilities(double[] score, String[] group) {
            double[] out = new double[score.length];
            for (int i = 0; i < score.length; i++) {
                out[i] = rule(group[i], i).positiveProbability(score[i]);
            }
            return out;
        }

        private Rule rule(String group, int row) {
            Rule r = rules.get(group);
            if (r == null) {
                throw new FairnessException("row " + (row + 1) + " is in the group '" + group + "', which had no member in"
                        + " the data the thresholds were fitted on (groups: " + String.join(", ", rules.keySet())
                        + "); fit on data holding every group");
            }
            return r;
        }
    }

    private ThresholdOptimizer() {}

    /** A point of a group's threshold curve: (x, y) reached by predicting positive when score ≥ threshold. */
    private record Point(double x, double y, double threshold) {}

    /**
     * Fits on scores (higher = more likely positive), true labels and each row's group. Every group needs
     * members; equalized odds needs positive and negative labels in every group.
     */
    public static Fitted fit(double[] score, boolean[] label, String[] group, Constraint constraint, int grid) {
        int n = score.length;
        if (label.length != n || group.length != n) {
            throw new FairnessException("the threshold optimizer needs one score, label and group per row; got " + n
                    + " scores, " + label.length + " labels and " + group.length + " group values");
        }
        if (n == 0) {
            throw new FairnessException("the threshold optimizer needs rows to fit on");
        }
        if (grid < 1) {
            throw new FairnessException("the grid needs at least one step; got " + grid);
        }
        Map<String, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(score[i])) {
                throw new FairnessException("row " + (i + 1) + " has no score (NaN)");
            }
            members.computeIfAbsent(group[i], g -> new ArrayList<>()).add(i);
        }
        if (members.size() < 2) {
            throw new FairnessException("there is one group (" + members.keySet() + "): thresholds per group need at"
                    + " least two");
        }
        Map<String, List<Point>> hulls = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>(); // group -> {count, positives}
        for (var e : members.entrySet()) {
            List<Integer> rows = e.getValue();
            long pos = rows.stream().filter(i -> label[i]).count();
            long neg = rows.size() - pos;
            if (constraint == Constraint.EQUALIZED_ODDS && (pos == 0 || neg == 0)) {
                throw new FairnessException("the group '" + e.getKey() + "' has no " + (pos == 0 ? "positive" : "negative")
                        + " label among its " + rows.size() + " rows: its true and false positive rates are undefined, so"
                        + " equalized odds cannot be fitted; merge it with another group or fit on more data");
            }
            counts.put(e.getKey(), new long[] {rows.size(), pos});
            hulls.put(e.getKey(), upperHull(curve(rows, score, label, constraint, pos, neg)));
        }
        double bestAcc = -1;
        double bestX = 0;
        for (int s = 0; s <= grid; s++) {
            double x = (double) s / grid;
            double correct = 0;
            if (constraint == Constraint.DEMOGRAPHIC_PARITY) {
                for (var e : hulls.entrySet()) {
                    long[] c = counts.get(e.getKey());
                    double tpShare = at(e.getValue(), x)[0];
                    // accuracy of the group = negatives share - selection rate + 2 * true-positive share
                    correct += c[0] * ((double) (c[0] - c[1]) / c[0] - x + 2 * tpShare);
                }
            } else {
                double y = Double.POSITIVE_INFINITY;
                for (List<Point> h : hulls.values()) {
                    y = Math.min(y, at(h, x)[0]);
                }
                for (long[] c : counts.values()) {
                    correct += c[1] * y + (c[0] - c[1]) * (1 - x);
                }
            }
            double acc = correct / n;
            if (acc > bestAcc + 1e-12) {
                bestAcc = acc;
                bestX = x;
            }
        }
        double commonY = Double.POSITIVE_INFINITY;
        for (List<Point> h : hulls.values()) {
            commonY = Math.min(commonY, at(h, bestX)[0]);
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (var e : hulls.entrySet()) {
            long[] c = counts.get(e.getKey());
            double[] seg = at(e.getValue(), bestX); // y, lambda, index of the segment start
            int k = (int) seg[2];
            List<Point> h = e.getValue();
            double lambda = seg[1];
            Point p0 = h.get(k);
            Point p1 = h.get(Math.min(k + 1, h.size() - 1));
            List<Component> comps = new ArrayList<>();
            double alpha = 1;
            double tpr;
            double fpr;
            double sel;
            if (constraint == Constraint.EQUALIZED_ODDS) {
                alpha = seg[0] - bestX > 1e-12 ? (commonY - bestX) / (seg[0] - bestX) : 1;
                alpha = Math.max(0, Math.min(1, alpha));
                fpr = bestX;
                tpr = alpha * seg[0] + (1 - alpha) * bestX;
                sel = (tpr * c[1] + fpr * (c[0] - c[1])) / c[0];
            } else {
                sel = bestX;
                double tpShare = seg[0];
                tpr = c[1] == 0 ? 0 : tpShare * c[0] / c[1];
                fpr = c[0] == c[1] ? 0 : (sel - tpShare) * c[0] / (c[0] - c[1]);
            }
            if (alpha * (1 - lambda) > 0) {
                comps.add(new Component(alpha * (1 - lambda), p0.threshold(), Double.NaN));
            }
            if (alpha * lambda > 0) {
                comps.add(new Component(alpha * lambda, p1.threshold(), Double.NaN));
            }
            if (alpha < 1) {
                comps.add(new Component(1 - alpha, Double.NaN, bestX));
            }
            rules.put(e.getKey(), new Rule(e.getKey(), List.copyOf(comps), sel, tpr, fpr));
        }
        return new Fitted(constraint, bestX, bestAcc, rules);
    }

    /** The group's curve from "nobody" (+Infinity) through every distinct score to "everybody". */
    private static List<Point> curve(List<Integer> rows, double[] score, boolean[] label, Constraint c, long pos, long neg) {
        List<Integer> order = new ArrayList<>(rows);
        order.sort((a, b) -> Double.compare(score[b], score[a]));
        int m = order.size();
        List<Point> pts = new ArrayList<>();
        pts.add(new Point(0, 0, Double.POSITIVE_INFINITY));
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < m; i++) {
            if (label[order.get(i)]) {
                tp++;
            } else {
                fp++;
            }
            if (i + 1 == m || score[order.get(i + 1)] != score[order.get(i)]) {
                double thr = i + 1 == m ? Double.NEGATIVE_INFINITY : score[order.get(i)];
                if (c == Constraint.DEMOGRAPHIC_PARITY) {
                    pts.add(new Point((double) (tp + fp) / m, (double) tp / m, thr));
                } else {
                    pts.add(new Point((double) fp / neg, (double) tp / pos, thr));
                }
            }
        }
        return pts;
    }

    /** The upper convex hull of a curve whose x and y never decrease (Andrew's monotone chain). */
    private static List<Point> upperHull(List<Point> pts) {
        List<Point> h = new ArrayList<>();
        for (Point p : pts) {
            while (!h.isEmpty() && h.getLast().x() == p.x()) {
                if (h.getLast().y() >= p.y()) {
                    p = null;
                    break;
                }
                h.removeLast();
            }
            if (p == null) {
                continue;
            }
            while (h.size() >= 2) {
                Point a = h.get(h.size() - 2);
                Point b = h.getLast();
                double cross = (b.x() - a.x()) * (p.y() - a.y()) - (b.y() - a.y()) * (p.x() - a.x());
                if (cross >= 0) { // b is on or below the line from a to p
                    h.removeLast();
                } else {
                    break;
                }
            }
            h.add(p);
        }
        return h;
    }

    /** The hull's y at x, with the segment start index and the weight of its end: {y, lambda, index}. */
    private static double[] at(List<Point> h, double x) {
        for (int k = 0; k + 1 < h.size(); k++) {
            Point a = h.get(k);
            Point b = h.get(k + 1);
            if (x <= b.x()) {
                double lambda = b.x() == a.x() ? 0 : Math.max(0, Math.min(1, (x - a.x()) / (b.x() - a.x())));
                return new double[] {a.y() + lambda * (b.y() - a.y()), lambda, k};
            }
        }
        Point last = h.getLast();
        return new double[] {last.y(), 0, h.size() - 1};
    }
}
