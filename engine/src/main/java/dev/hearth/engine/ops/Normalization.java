package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * Layer normalisation and RMS normalisation over the last dimension, fused: one pass for the
 * statistics, one for the output, and the gradient in closed form. Weight and bias gradients are
 * summed over rows column by column so the result does not depend on the thread count.
 */
public final class Normalization {
    private Normalization() {}

    /**
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} per row of x (..., C), with the
     * biased variance as in PyTorch; weight and bias are (C) and may be null.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int cols = x.dim(-1);
        checkParam("layer_norm weight", x, weight, cols);
        checkParam("layer_norm bias", x, bias, cols);
        Tensor xc = x.contiguous();
        float[] xd = xc.data();
        int xo = xc.offset();
        int rows = x.numel() / Math.max(cols, 1);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        float[] y = new float[x.numel()];
        float[] w = weight == null ? null : weight.contiguous().toFloatArray();
        float[] b = bias == null ? null : bias.contiguous().toFloatArray();
        ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = xo + r * cols;
                float mu = VectorMath.sum(cols, xd, o) / cols;
                double var = 0;
                for (int c = 0; c < cols; c++) {
                    float d = xd[o + c] - mu;
                    var += d * d;
                }
                float rs = (float) (1 / Math.sqrt(var / cols + eps));
                mean[r] = mu;
                rstd[r] = rs;
                int yo = r * cols;
                for (int c = 0; c < cols; c++) {
                    float v = (xd[o + c] - mu) * rs;
                    if (w != null) {
                        v *= w[c];
                    }
                    if (b != null) {
                        v += b[c];
                    }
                    y[yo + c] = v;
                }
            }
        });
        Tensor out = Tensor.of(y, x.shape().toArray());
        Tensor[] inputs = {x, weight, bias};
        return Autograd.record(out, "layer_norm", inputs, g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.data();
            int go = gc.offset();
            Tensor dx = null;
            if (x.requiresGrad()) {
                float[] d = new float[x.numel()];
                ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
                    for (int r = r0; r < r1; r++) {
                        int o = r * cols;
                        float mu = mean[r];
                        float rs = rstd[r];
                        // dxhat = g * w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
                        double sumD = 0;
                        double sumDX = 0;
                        for (int c = 0; c < cols; c++) {
                            float dh = gd[go + o + c] * (w == null ? 1f : w[c]);
                            float xh = (xd[xo + o + c] - mu) * rs;
                            sumD += dh;
                            sumDX += dh * xh;
                        }
                        float mD = (float) (sumD / cols);
                        float mDX = (float) (sumDX / cols);
                        for (int c = 0; c < cols; c++) {
                            float dh = gd[go + o + c] * (w == null ? 1f : w[c]);
                            float xh = (xd[xo + o + c] - mu) * rs;
                            d[o + c] = rs * (dh - mD - xh * mDX);
                        }
                    }
                });
                dx = Tensor.of(d, x.shape().toArray());
            }
            Tensor dw = null;
            Tensor db = null;
            if (weight != null && weight.requiresGrad()) {
                float[] d = columnSums(rows, cols, (r, c) -> gd[go + r * cols + c] * (xd[xo + r * cols + c] - mean[r]) * rstd[r]);
                dw = Tensor.of(d, cols);
            }
            if (bias != null && bias.requiresGrad()) {
                db = Tensor.of(columnSums(rows, cols, (r, c) -> gd[go + r * cols + c]), cols);
            }
            return new Tensor[] {dx, dw, db};
        });
    }

    /** {@code y = x / sqrt(mean(x^2) + eps) * weight} per row of x (..., C); weight (C) may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        int cols = x.dim(-1);
        checkParam("rms_norm weight", x, weight, cols);
        Tensor xc = x.contiguous();
        float[] xd = xc.data();
        int xo = xc.offset();
        int rows = x.numel() / Math.max(cols, 1);
        float[] rstd = new float[rows];
        float[] y = new float[x.numel()];
        float[] w = weight == null ? null : weight.contiguous().toFloatArray();
        ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = xo + r * cols;
                float ms = VectorMath.dot(cols, xd, o, xd, o) / cols;
                float rs = (float) (1 / Math.sqrt(ms + eps));
                rstd[r] = rs;
                int yo = r * cols;
                VectorMath.scale(cols, rs, xd, o, y, yo);
                if (w != null) {
                    VectorMath.binary(VectorMath.Binary.MUL, cols, y, yo, 1, w, 0, 1, y, yo);
                }
            }
        });
        Tensor out = Tensor.of(y, x.shape().toArray());
        return Autograd.record(out, "rms_norm", new Tensor[] {x, weight}, g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.data();
            int go = gc.offset();
            Tensor dx = null;
            if (x.requiresGrad()) {
                float[] d = new float[x.numel()];
                ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
                    for (int r = r0; r < r1; r++) {
                        int o = r * cols;
                        float rs = rstd[r];
                        // dxhat = g * w; dx = rstd * (dxhat - xhat * mean(dxhat * xhat))
                        double sumDX = 0;
                        for (int c = 0; c < cols; c++) {
                            float dh = gd[go + o + c] * (w == null ? 1f : w[c]);
                            sumDX += dh * xd[xo + o + c] * rs;
                        }
                        float mDX = (float) (sumDX / cols);
                        for (int c = 0; c < cols; c++) {
                            float dh = gd[go + o + c] * (w == null ? 1f : w[c]);
                            d[o + c] = rs * (dh - xd[xo + o + c] * rs * mDX);
                        }
                    }
                });
                dx = Tensor.of(d, x.shape().toArray());
            }
            Tensor dw = null;
            if (weight != null && weight.requiresGrad()) {
                dw = Tensor.of(columnSums(rows, cols, (r, c) -> gd[go + r * cols + c] * xd[xo + r * cols + c] * rstd[r]),
                        cols);
            }
            return new Tensor[] {dx, dw};
        });
    }

    private static void checkParam(String what, Tensor x, Tensor p, int cols) {
        if (p != null && (p.rank() != 1 || p.dim(0) != cols)) {
            throw ShapeException.of(what, x.shape(), p.shape(), "the parameter must be (" + cols + ",), the size of"
                    + " the last dimension");
        }
    }

    @FunctionalInterface
    interface Term {
        float at(int row, int col);
    }

    /** Sums {@code term(r, c)} over rows for every column; columns are split across threads, rows summed in order. */
    static float[] columnSums(int rows, int cols, Term term) {
        float[] out = new float[cols];
        ComputePool.shared().parallelFor(cols, Math.max(1, (1 << 16) / Math.max(rows, 1)), (c0, c1) -> {
            double[] acc = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                for (int c = c0; c < c1; c++) {
                    acc[c - c0] += term.at(r, c);
                }
            }
            for (int c = c0; c < c1; c++) {
                out[c] = (float) acc[c - c0];
            }
        });
        return out;
    }
}
