package dev.hearth.guard.fairness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reweighing (Kamiran and Calders 2012), a mitigation applied before training: every example of group g
 * and label y gets the weight {@code P(g) P(y) / P(g, y)}, the ratio of the count the cell would have if
 * group and label were independent to the count it has. Under these weights the label is independent of
 * the group in the training data (each group's weighted positive rate is the overall rate), and the
 * total weight is still the number of examples. AIF360's {@code Reweighing} computes the same weights.
 *
 * @param weights one weight per example
 * @param cells   "group | label" to its weight, for reports
 */
public record Reweighing(double[] weights, Map<String, Double> cells) {

    /** Weights for examples with these groups and labels (class ids). */
    public static Reweighing of(String[] groups, int[] labels) {
        int n = groups.length;
        if (labels.length != n) {
            throw new FairnessException("reweighing: " + n + " group values but " + labels.length + " labels");
        }
        if (n == 0) {
            throw new FairnessException("reweighing needs at least one example");
        }
        Map<String, Integer> byGroup = new TreeMap<>();
        Map<Integer, Integer> byLabel = new TreeMap<>();
        Map<String, Integer> byCell = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (groups[i] == null) {
                throw new FairnessException("reweighing: example " + (i + 1) + " has no group");
            }
            byGroup.merge(groups[i], 1, Integer::sum);
            byLabel.merge(labels[i], 1, Integer::sum);
            byCell.merge(groups[i] + " | " + labels[i], 1, Integer::sum);
        }
        double[] w = new double[n];
        Map<String, Double> cells = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String cell = groups[i] + " | " + labels[i];
            double expected = (double) byGroup.get(groups[i]) * byLabel.get(labels[i]) / n;
            w[i] = expected / byCell.get(cell);
            cells.putIfAbsent(cell, w[i]);
        }
        Map<String, Double> sorted = new LinkedHashMap<>(new TreeMap<>(cells));
        return new Reweighing(w, sorted);
    }
}
