package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.tensor.Tensor;

/**
 * Layer normalisation {@code y = (x - mean) * rstd * w + b} or RMS normalisation {@code y = x * rstd * w} over the
 * last dimension (D). Example i's gradients are {@code sum_t d_t * xhat_t} for the weight and {@code sum_t d_t}
 * for the bias, over its T rows, with {@code xhat} the normalised input recomputed from x and the op's epsilon.
 */
final class NormUse extends ParameterUse {

    private final Tensor x;
    private final Tensor weight;
    private final Tensor bias;
    private final boolean centre;
    private final float eps;
    private final int dim;
    private int time;

    NormUse(Node node, Tensor output) {
        super(node, output);
        Tensor[] inputs = node.inputs();
        this.x = inputs[0];
        this.weight = inputs[1];
        this.bias = inputs.length > 2 ? inputs[2] : null;
        this.centre = "layer_norm".equals(node.op());
        this.eps = (Float) node.attributes().get("eps");
        this.dim = x.dim(-1);
    }

    @Override
    void bind(int examples) {
        time = rowsPerExample(op(), x, examples);
        bindInput(x);
        bindDelta(output);
    }

    @Override
    void addSquaredNorms(Tensor parameter, double[] sq) {
        ComputePool.shared().parallelFor(sq.length, (i0, i1) -> {
            double[] g = new double[dim];
            for (int i = i0; i < i1; i++) {
                gradient(parameter, i, g);
                double s = 0;
                for (double v : g) {
                    s += v * v;
                }
                sq[i] += s;
            }
        });
    }

    @Override
    void addGradient(Tensor parameter, int example, float[] gradient) {
        double[] g = new double[dim];
        gradient(parameter, example, g);
        for (int d = 0; d < dim; d++) {
            gradient[d] += (float) g[d];
        }
    }

    /** Example i's gradient of the weight or the bias, into g. */
    private void gradient(Tensor parameter, int i, double[] g) {
        java.util.Arrays.fill(g, 0);
        boolean isWeight = parameter == weight;
        for (int t = 0; t < time; t++) {
            int xr = xo + (i * time + t) * dim;
            int dr = dOff + (i * time + t) * dim;
            if (!isWeight) {
                for (int d = 0; d < dim; d++) {
                    g[d] += dd[dr + d];
                }
                continue;
            }
            double mean = 0;
            if (centre) {
                for (int d = 0; d < dim; d++) {
                    mean += xd[xr + d];
                }
                mean /= dim;
            }
            double ss = 0;
            for (int d = 0; d < dim; d++) {
                double c = xd[xr + d] - mean;
                ss += c * c;
            }
            double rstd = 1 / Math.sqrt(ss / dim + eps);
            for (int d = 0; d < dim; d++) {
                g[d] += dd[dr + d] * (xd[xr + d] - mean) * rstd;
            }
        }
    }
}
