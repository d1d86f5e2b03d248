package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.tensor.Tensor;

/**
 * {@code y = x W^T + b} with x (N, T, in) (or (N, in): T = 1), W (out, in), b (out). Example i's weight gradient
 * is {@code G_i = D_i^T X_i} (out, in), with X_i (T, in) its inputs and D_i (T, out) its output gradients, and its
 * bias gradient the column sums of D_i.
 *
 * <p>The squared norm of G_i is found the cheaper of two ways: forming G_i (T * in * out multiply-adds) or, by the
 * "ghost norm" identity {@code |D^T X|^2 = sum_{s,t} (x_s . x_t)(d_s . d_t)}, from the two T x T Gram matrices
 * (T^2 (in + out)), which wins for short sequences through wide layers. With T = 1 the gradient is an outer
 * product and {@code |G_i|^2 = |x_i|^2 |d_i|^2}.
 */
final class LinearUse extends ParameterUse {

    private final Tensor x;
    private final Tensor weight; // (out, in)
    private final Tensor bias;   // (out) or null
    private final int in;
    private final int out;
    private int time;

    LinearUse(Node node, Tensor output) {
        super(node, output);
        Tensor[] inputs = node.inputs();
        this.x = inputs[0];
        this.weight = inputs[1];
        this.bias = inputs.length > 2 ? inputs[2] : null;
        this.in = weight.dim(1);
        this.out = weight.dim(0);
    }

    @Override
    void bind(int examples) {
        time = rowsPerExample(op(), x, examples);
        bindInput(x);
        bindDelta(output);
    }

    @Override
    void addSquaredNorms(Tensor parameter, double[] sq) {
        int n = sq.length;
        if (parameter == bias) {
            ComputePool.shared().parallelFor(n, (i0, i1) -> {
                double[] col = new double[out];
                for (int i = i0; i < i1; i++) {
                    sq[i] += columnSumSquared(i, col);
                }
            });
            return;
        }
        if (time == 1) {
            ComputePool.shared().parallelFor(n, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    sq[i] += sumOfSquares(xd, xo + i * in, in) * sumOfSquares(dd, dOff + i * out, out);
                }
            });
        } else if ((long) time * (in + out) < (long) in * out) {
            ComputePool.shared().parallelFor(n, (i0, i1) -> {
                float[] gx = new float[time * time];
                float[] gd = new float[time * time];
                for (int i = i0; i < i1; i++) {
                    gram(xd, xo + i * time * in, in, gx);
                    gram(dd, dOff + i * time * out, out, gd);
                    double s = 0;
                    for (int k = 0; k < gx.length; k++) {
                        s += (double) gx[k] * gd[k];
                    }
                    sq[i] += s;
                }
            });
        } else {
            ComputePool.shared().parallelFor(n, (i0, i1) -> {
                float[] g = new float[out * in];
                for (int i = i0; i < i1; i++) {
                    weightGradient(i, g, 0f);
                    sq[i] += sumOfSquares(g, 0, g.length);
                }
            });
        }
    }

    @Override
    void addGradient(Tensor parameter, int example, float[] gradient) {
        if (parameter == bias) {
            int base = dOff + example * time * out;
            for (int t = 0; t < time; t++) {
                for (int o = 0; o < out; o++) {
                    gradient[o] += dd[base + t * out + o];
                }
            }
        } else {
            weightGradient(example, gradient, 1f);
        }
    }

    /** g (out, in) = beta g + D_i^T (out, T) X_i (T, in). */
    private void weightGradient(int i, float[] g, float beta) {
        Gemm.sgemm(out, in, time, 1f, dd, dOff + i * time * out, 1, out, xd, xo + i * time * in, in, 1, beta, g, 0,
                in);
    }

    /** g (T, T) = A A^T for the T rows of width w starting at off. */
    private void gram(float[] a, int off, int w, float[] g) {
        Gemm.sgemm(time, time, w, 1f, a, off, w, 1, a, off, 1, w, 0f, g, 0, time);
    }

    private double columnSumSquared(int i, double[] col) {
        java.util.Arrays.fill(col, 0);
        int base = dOff + i * time * out;
        for (int t = 0; t < time; t++) {
            for (int o = 0; o < out; o++) {
                col[o] += dd[base + t * out + o];
            }
        }
        double s = 0;
        for (double v : col) {
            s += v * v;
        }
        return s;
    }
}
