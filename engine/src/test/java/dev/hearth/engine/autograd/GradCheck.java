package dev.hearth.engine.autograd;

import static org.assertj.core.api.Assertions.fail;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.function.Function;

/**
 * Checks analytic gradients against central finite differences. The function's output is
 * reduced to a scalar with fixed random weights, {@code L = sum(f(x) * w)}; L is accumulated in
 * double precision and the difference quotient {@code (L(x+h) - L(x-h)) / 2h} is formed in
 * double, so the only float32 error left is the forward pass's own rounding, which the step h
 * keeps well below the tolerance.
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double H = 1e-2;
    public static final double RTOL = 2e-2;
    public static final double ATOL = 2e-3;

    /** Checks every input element (up to {@code maxPerInput}, spread evenly) of every input. */
    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, f, 200, inputs);
    }

    public static void check(String what, Function<Tensor[], Tensor> f, int maxPerInput, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (!in.isContiguous() || !in.isLeaf()) {
                throw new IllegalArgumentException("gradcheck inputs must be contiguous leaves; make views inside f");
            }
            in.requiresGrad(true);
            in.zeroGrad();
        }
        Tensor y = f.apply(inputs);
        Tensor w = Tensor.randn(new Rng(1234), 1f, y.shape().toArray());
        y.mul(w).sum().backward();
        float[] wd = w.toFloatArray();
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            Tensor g = in.grad();
            if (g == null) {
                fail(what + ": input " + k + " received no gradient");
            }
            float[] analytic = g.toFloatArray();
            float[] data = in.data();
            int n = in.numel();
            int step = Math.max(1, n / maxPerInput);
            double scale = 0;
            for (float a : analytic) {
                scale = Math.max(scale, Math.abs(a));
            }
            for (int i = 0; i < n; i += step) {
                int at = in.offset() + i;
                float orig = data[at];
                data[at] = (float) (orig + H);
                double plus = weighted(f, inputs, wd);
                data[at] = (float) (orig - H);
                double minus = weighted(f, inputs, wd);
                data[at] = orig;
                double numeric = (plus - minus) / (2 * H);
                double a = analytic[i];
                double tol = ATOL * Math.max(1, scale) + RTOL * Math.max(Math.abs(a), Math.abs(numeric));
                if (!(Math.abs(a - numeric) <= tol)) {
                    fail(String.format("%s: d/d input %d element %d: analytic %.6g, numeric %.6g (tolerance %.3g)",
                            what, k, i, a, numeric, tol));
                }
            }
        }
    }

    private static double weighted(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            float[] y = f.apply(inputs).toFloatArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += (double) y[i] * w[i];
            }
            return sum;
        }
    }
}
