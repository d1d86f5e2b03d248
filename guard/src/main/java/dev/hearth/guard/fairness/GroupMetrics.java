package dev.hearth.guard.fairness;

/**
 * The confusion counts of one group and the rates Fairlearn's MetricFrame reports for it. A rate
 * whose denominator is empty (TPR in a group without positive labels) is 0, as scikit-learn's
 * {@code zero_division} default makes it in Fairlearn.
 *
 * @param count rows (or total weight)
 */
public record GroupMetrics(double count, double truePositives, double falsePositives, double trueNegatives,
                           double falseNegatives) {

    static GroupMetrics of(double tp, double fp, double tn, double fn) {
        return new GroupMetrics(tp + fp + tn + fn, tp, fp, tn, fn);
    }

    /** Share predicted positive. */
    public double selectionRate() {
        return div(truePositives + falsePositives, count);
    }

    public double accuracy() {
        return div(truePositives + trueNegatives, count);
    }

    /** Recall: predicted positive among the positive labels. */
    public double truePositiveRate() {
        return div(truePositives, truePositives + falseNegatives);
    }

    /** Predicted positive among the negative labels. */
    public double falsePositiveRate() {
        return div(falsePositives, falsePositives + trueNegatives);
    }

    public double falseNegativeRate() {
        return div(falseNegatives, truePositives + falseNegatives);
    }

    public double trueNegativeRate() {
        return div(trueNegatives, falsePositives + trueNegatives);
    }

    private static double div(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
