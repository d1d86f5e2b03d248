package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.NormKernels;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * Layer normalisation and RMS normalisation over the last dimension, fused: one pass for the
 * statistics, one for the output, and the gradient in closed form (row loops in
 * {@link NormKernels}). Weight and bias gradients are summed over rows column by column, so the
 * result does not depend on the thread count. RMS normalisation is the same computation with the
 * mean fixed at 0 and no shift.
 */
public final class Normalization {
    private Normalization() {}

    /**
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} per row of x (..., C), with the
     * biased variance as in PyTorch; weight and bias are (C) and may be null.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        return normalize("layer_norm", x, weight, bias, eps, true);
    }

    /** {@code y = x / sqrt(mean(x^2) + eps) * weight} per row of x (..., C); weight (C) may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        return normalize("rms_norm", x, weight, null, eps, false);
    }

    private static Tensor normalize(String op, Tensor x, Tensor weight, Tensor bias, float eps, boolean centre) {
        int cols = x.dim(-1);
        checkParam(op + " weight", x, weight, cols);
        checkParam(op + " bias", x, bias, cols);
        Tensor xc = x.contiguous();
        float[] xd = xc.data();
        int xo = xc.offset();
        int rows = x.numel() / Math.max(cols, 1);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        float[] y = new float[x.numel()];
        float[] w = weight == null ? null : weight.contiguous().toFloatArray();
        float[] b = bias == null ? null : bias.contiguous().toFloatArray();
        ComputePool.shared().parallelFor(rows, Math.max(1, 4096 / Math.max(cols, 1)),
                (r0, r1) -> normalizeRows(r0, r1, cols, xd, xo, w, b, eps, centre, y, 0, mean, rstd));
        Tensor out = Tensor.of(y, x.shape().toArray());
        Tensor[] inputs = centre ? new Tensor[] {x, weight, bias} : new Tensor[] {x, weight};
        return Autograd.record(out, op, inputs, Map.of("eps", eps), g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.data();
            int go = gc.offset();
            Tensor dx = null;
            if (x.requiresGrad()) {
                float[] d = new float[x.numel()];
                ComputePool.shared().parallelFor(rows, Math.max(1, 4096 / Math.max(cols, 1)), (r0, r1) -> {
                    float[] sums = new float[2];
                    for (int r = r0; r < r1; r++) {
                        int o = r * cols;
                        NormKernels.gradientSums(cols, xd, xo + o, gd, go + o, w, mean[r], rstd[r], sums);
                        float meanD = centre ? sums[0] / cols : 0f;
                        NormKernels.inputGradient(cols, xd, xo + o, gd, go + o, w, mean[r], rstd[r], meanD,
                                sums[1] / cols, d, o);
                    }
                });
                dx = Tensor.of(d, x.shape().toArray());
            }
            boolean needW = weight != null && weight.requiresGrad();
            boolean needB = bias != null && bias.requiresGrad();
            float[] gw = needW ? new float[cols] : null;
            float[] gb = needB ? new float[cols] : null;
            if (needW || needB) {
                // Columns split across threads; each column sums its rows in order.
                ComputePool.shared().parallelFor(cols, 64, (c0, c1) -> {
                    for (int r = 0; r < rows; r++) {
                        NormKernels.paramGradients(c0, c1, xd, xo + r * cols, gd, go + r * cols, mean[r], rstd[r], gw, gb);
                    }
                });
            }
            Tensor dw = needW ? Tensor.of(gw, cols) : null;
            Tensor db = needB ? Tensor.of(gb, cols) : null;
            return centre ? new Tensor[] {dx, dw, db} : new Tensor[] {dx, dw};
        });
    }

    /**
     * Rows [r0, r1) of x (rows of {@code cols} from {@code xo}) normalised into y (from
     * {@code yo}): LayerNorm when {@code centre}, RMSNorm when not; w and b (or null) of cols
     * floats. Each row's mean (0 for RMSNorm) and 1 / deviation go into mean[r] and rstd[r] when
     * those are given (backward needs them). How {@link #layerNorm} and {@link #rmsNorm} compute a
     * row, and a decode step's norms on its reused buffers.
     */
    public static void normalizeRows(int r0, int r1, int cols, float[] xd, int xo, float[] w, float[] b, float eps,
                                     boolean centre, float[] y, int yo, float[] mean, float[] rstd) {
        for (int r = r0; r < r1; r++) {
            int o = xo + r * cols;
            float mu = centre ? dev.hearth.engine.kernels.VectorMath.sum(cols, xd, o) / cols : 0f;
            float rs = (float) (1 / Math.sqrt(NormKernels.sumSquaredDeviations(cols, xd, o, mu) / cols + eps));
            if (mean != null) {
                mean[r] = mu;
                rstd[r] = rs;
            }
            NormKernels.normalize(cols, xd, o, mu, rs, w, b, y, yo + r * cols);
        }
    }

    private static void checkParam(String what, Tensor x, Tensor p, int cols) {
        if (p != null && (p.rank() != 1 || p.dim(0) != cols)) {
            throw ShapeException.of(what, x.shape(), p.shape(), "the parameter must be (" + cols + ",), the size of"
                    + " the last dimension");
        }
    }
}
