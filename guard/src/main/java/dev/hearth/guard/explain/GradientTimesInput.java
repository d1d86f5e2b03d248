package dev.hearth.guard.explain;

import java.util.Map;

/**
 * Gradient × input (Shrikumar et al., 2016): the first-order estimate of each input's share of
 * the score, signed, summed over each feature's positions. One backward pass; exact for a linear
 * model with no bias.
 */
public final class GradientTimesInput {
    private GradientTimesInput() {}

    public static Attribution explain(ScoreModel model, float[] input, FeatureGroups features, int target) {
        int d = Saliency.checkInput(input, features);
        float[] g = new float[d];
        double score = InputGradients.gradients(model, input, 1, d, target, g)[0];
        double[] product = new double[d];
        for (int i = 0; i < d; i++) {
            product[i] = (double) g[i] * input[i];
        }
        return new Attribution("gradient_x_input", target, features.names(), features.sum(product), score,
                Double.NaN, Map.of());
    }
}
