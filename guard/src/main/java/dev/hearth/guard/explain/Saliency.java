package dev.hearth.guard.explain;

import java.util.Map;

/**
 * Saliency (Simonyan et al., 2014): how strongly the target score reacts to each input, the size
 * of its gradient at the input. Per feature, the Euclidean norm of the gradient over the
 * feature's positions (for one position, |gradient|, as Captum gives). Unsigned; one backward pass.
 */
public final class Saliency {
    private Saliency() {}

    public static Attribution explain(ScoreModel model, float[] input, FeatureGroups features, int target) {
        int d = checkInput(input, features);
        float[] g = new float[d];
        double score = InputGradients.gradients(model, input, 1, d, target, g)[0];
        double[] squares = new double[d];
        for (int i = 0; i < d; i++) {
            squares[i] = (double) g[i] * g[i];
        }
        double[] values = features.sum(squares);
        for (int f = 0; f < values.length; f++) {
            values[f] = Math.sqrt(values[f]);
        }
        return new Attribution("saliency", target, features.names(), values, score, Double.NaN, Map.of());
    }

    static int checkInput(float[] input, FeatureGroups features) {
        if (input.length != features.width()) {
            throw new ExplainException("the input has " + input.length + " values but the features cover an input of "
                    + features.width());
        }
        for (int i = 0; i < input.length; i++) {
            if (!Float.isFinite(input[i])) {
                throw new ExplainException("input value " + i + " is " + input[i] + "; every input value must be finite");
            }
        }
        return input.length;
    }
}
