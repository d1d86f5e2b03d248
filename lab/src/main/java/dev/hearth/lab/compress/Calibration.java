package dev.hearth.lab.compress;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.TokenSplit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What pruning learns from a few token sequences run through the model: for every linear layer,
 * the L2 norm of each of its input features over all calibration tokens, ||X_j||_2 (Wanda's
 * activation term, and the base of the head and channel importances).
 */
final class Calibration {
    private Calibration() {}

    /**
     * {@code n} windows of {@code length} tokens, evenly spaced over {@code split} (deterministic,
     * so a pruning run can be repeated exactly).
     */
    static int[][] windows(TokenSplit split, int n, int length) {
        if (split.size() < length) {
            throw new PruningException("the " + split.name() + " split holds " + split.size() + " tokens, fewer than"
                    + " one sequence of " + length + "; prepare more data");
        }
        long room = split.size() - length;
        int count = (int) Math.min(n, room / Math.max(1, length) + 1);
        int[][] out = new int[count][length];
        for (int i = 0; i < count; i++) {
            long start = count == 1 ? 0 : room * i / (count - 1);
            split.read(start, out[i], 0, length);
        }
        return out;
    }

    /**
     * ||X_j||_2 for every input feature j of every layer in {@code layers}, over the tokens of
     * {@code windows} run through {@code model} (in evaluation mode, without gradients).
     */
    static Map<String, double[]> inputNorms(LanguageModel model, Map<String, Linear> layers, int[][] windows) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            double[] s = new double[e.getValue().inFeatures()];
            sums.put(e.getKey(), s);
            e.getValue().observeInputs(x -> accumulate(x, s));
        }
        boolean training = model.isTraining();
        model.eval();
        try (Autograd.Scope g = Autograd.noGrad()) {
            for (int[] w : windows) {
                model.forward(w, 1, w.length);
            }
        } finally {
            layers.values().forEach(l -> l.observeInputs(null));
            model.train(training);
        }
        for (double[] s : sums.values()) {
            for (int j = 0; j < s.length; j++) {
                s[j] = Math.sqrt(s[j]);
            }
        }
        return sums;
    }

    private static void accumulate(Tensor x, double[] sumSquares) {
        float[] v = x.toFloatArray();                                   // (..., in), row-major
        int in = sumSquares.length;
        for (int r = 0; r < v.length; r += in) {
            for (int j = 0; j < in; j++) {
                double a = v[r + j];
                sumSquares[j] += a * a;
            }
        }
    }
}
