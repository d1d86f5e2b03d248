package dev.hearth.guard.explain;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.tensor.Tensor;

/** Gradients of one output of a {@link ScoreModel} with respect to its inputs, and plain scores. */
final class InputGradients {
    private InputGradients() {}

    /**
     * For the rows of {@code inputs} (n, d), row-major: writes each row's gradient of
     * {@code scores[:, target]} into {@code gradients} (n·d) and returns the n scores. One forward
     * and one backward over the n rows together; rows do not interact, so summing their scores
     * gives each row its own gradient.
     */
    static double[] gradients(ScoreModel model, float[] inputs, int n, int d, int target, float[] gradients) {
        Tensor x = Tensor.of(inputs.clone(), n, d).requiresGrad(true);
        Tensor s = model.scores(x);
        checkOutput(s, n, target);
        Tensor picked = s.select(1, target);                                                // (n)
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = picked.get(i);
        }
        Autograd.backward(picked.sum());
        Tensor g = x.grad();
        if (g == null) {
            throw new ExplainException("the model's score does not depend on its input through operations with"
                    + " gradients; use a perturbation method (occlusion, lime, kernel_shap) instead");
        }
        System.arraycopy(g.contiguous().toFloatArray(), 0, gradients, 0, n * d);
        return scores;
    }

    /** The target's score for each of the n rows of {@code inputs} (n, d), without gradients. */
    static double[] scores(ScoreModel model, float[] inputs, int n, int d, int target) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            Tensor out = model.scores(Tensor.of(inputs, n, d));
            checkOutput(out, n, target);
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = out.get(i, target);
            }
            return scores;
        }
    }

    private static void checkOutput(Tensor s, int n, int target) {
        if (s.rank() != 2 || s.dim(0) != n) {
            throw new ExplainException("the model returned scores of shape " + s.shape() + " for " + n
                    + " inputs; it must return (inputs, outputs)");
        }
        if (target < 0 || target >= s.dim(1)) {
            throw new ExplainException("target " + target + " is outside the model's " + s.dim(1) + " outputs");
        }
    }
}
