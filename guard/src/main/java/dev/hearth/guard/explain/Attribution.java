package dev.hearth.guard.explain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one method says about one prediction: a value per feature (how much it pushed the target
 * score up, or down when negative), the target's score on the input and on the reference (the
 * baseline, or the background's mean), and the method's own checks (the completeness gap of
 * integrated gradients, LIME's fit).
 *
 * @param method        saliency, gradient_x_input, integrated_gradients, occlusion, lime or kernel_shap
 * @param target        the output explained (class or token index)
 * @param features      the features' names
 * @param values        one attribution per feature
 * @param score         the target's score on the input
 * @param referenceScore the target's score on the reference, or NaN where a method has none
 * @param checks        named diagnostics, in a fixed order
 */
public record Attribution(String method, int target, List<String> features, double[] values, double score,
                          double referenceScore, Map<String, Double> checks) {

    public Attribution {
        features = List.copyOf(features);
        values = values.clone();
        checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
        if (values.length != features.size()) {
            throw new ExplainException(values.length + " attributions for " + features.size() + " features");
        }
    }

    /** The sum of all attributions: equals score - referenceScore for complete methods. */
    public double total() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /** Feature indices ordered by |attribution|, largest first. */
    public int[] ranking() {
        return java.util.stream.IntStream.range(0, values.length).boxed()
                .sorted((a, b) -> Double.compare(Math.abs(values[b]), Math.abs(values[a])))
                .mapToInt(Integer::intValue).toArray();
    }
}
