package dev.hearth.guard.fairness;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Group-fairness metrics for a binary classifier, with Fairlearn's definitions (Fairlearn 0.10+,
 * {@code fairlearn.metrics}), computed between the groups of one sensitive feature or of the
 * intersections of several:
 *
 * <ul>
 *   <li>{@code demographic_parity_difference}: the largest minus the smallest group selection rate;
 *   <li>{@code demographic_parity_ratio}: the smallest over the largest selection rate;
 *   <li>{@code equalized_odds_difference}: the greater of the true-positive-rate difference and the
 *       false-positive-rate difference between groups;
 *   <li>{@code equalized_odds_ratio}: the smaller of the true-positive-rate ratio and the
 *       false-positive-rate ratio;
 *   <li>{@code disparate_impact}: with a privileged group, the smallest selection rate of another
 *       group over the privileged group's (AIF360's definition, the "80% rule"); without one, the
 *       same as the demographic parity ratio.
 * </ul>
 *
 * A ratio whose largest rate is 0 (nobody selected anywhere) is 1: all groups are treated alike.
 * (Fairlearn gives NaN there; a JSON report cannot hold NaN.)
 */
public record FairnessMetrics(double demographicParityDifference, double demographicParityRatio,
                              double equalizedOddsDifference, double equalizedOddsRatio, double disparateImpact) {

    /** The metrics between {@code groups}; {@code privileged} may be null. */
    public static FairnessMetrics between(Map<String, GroupMetrics> groups, String privileged) {
        if (groups.size() < 2) {
            throw new FairnessException("fairness compares groups, and there is only " + groups.size()
                    + (groups.size() == 1 ? " (" + groups.keySet().iterator().next() + ")" : "")
                    + ": choose a sensitive column with at least two values");
        }
        Collection<GroupMetrics> g = groups.values();
        double dpd = difference(g, GroupMetrics::selectionRate);
        double dpr = ratio(g, GroupMetrics::selectionRate);
        double eod = Math.max(difference(g, GroupMetrics::truePositiveRate), difference(g, GroupMetrics::falsePositiveRate));
        double eor = Math.min(ratio(g, GroupMetrics::truePositiveRate), ratio(g, GroupMetrics::falsePositiveRate));
        double di = dpr;
        if (privileged != null) {
            GroupMetrics p = groups.get(privileged);
            if (p == null) {
                throw new FairnessException("the privileged group '" + privileged + "' is not among the groups "
                        + groups.keySet());
            }
            double min = Double.POSITIVE_INFINITY;
            for (Map.Entry<String, GroupMetrics> e : groups.entrySet()) {
                if (!e.getKey().equals(privileged)) {
                    min = Math.min(min, e.getValue().selectionRate());
                }
            }
            di = p.selectionRate() == 0 ? (min == 0 ? 1 : Double.POSITIVE_INFINITY) : min / p.selectionRate();
        }
        return new FairnessMetrics(dpd, dpr, eod, eor, di);
    }

    private static double difference(Collection<GroupMetrics> g, ToDoubleFunction<GroupMetrics> f) {
        double max = g.stream().mapToDouble(f).max().orElseThrow();
        double min = g.stream().mapToDouble(f).min().orElseThrow();
        return max - min;
    }

    private static double ratio(Collection<GroupMetrics> g, ToDoubleFunction<GroupMetrics> f) {
        double max = g.stream().mapToDouble(f).max().orElseThrow();
        double min = g.stream().mapToDouble(f).min().orElseThrow();
        return max == 0 ? 1 : min / max;
    }

    /** The metrics under the key names Fairlearn uses, which reports rely on. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("demographic_parity_difference", demographicParityDifference);
        m.put("demographic_parity_ratio", demographicParityRatio);
        m.put("equalized_odds_difference", equalizedOddsDifference);
        m.put("equalized_odds_ratio", equalizedOddsRatio);
        m.put("disparate_impact", disparateImpact);
        return m;
    }
}
