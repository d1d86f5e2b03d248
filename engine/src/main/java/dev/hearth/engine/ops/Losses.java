package dev.hearth.engine.ops;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/** Training losses: fused softmax cross-entropy and mean squared error. */
public final class Losses {
    private Losses() {}

    /**
     * Mean cross-entropy of {@code logits (..., classes)} against class indices {@code targets}
     * (one per row), as PyTorch's {@code cross_entropy}: rows whose target equals
     * {@code ignoreIndex} count neither in the loss nor in the mean; with label smoothing ε the
     * target distribution is {@code (1-ε) one-hot + ε/classes}. Softmax and loss are fused, so
     * the gradient is {@code (softmax - target) / rows} without materialising log-probabilities.
     * If every row is ignored the loss is NaN, as in PyTorch.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex, float labelSmoothing) {
        int classes = logits.dim(-1);
        int rows = logits.numel() / Math.max(classes, 1);
        if (targets.length != rows) {
            throw new ShapeException("cross_entropy: logits " + logits.shape() + " have " + rows + " rows but "
                    + targets.length + " targets were given");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new HearthException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == ignoreIndex) {
                continue;
            }
            if (t < 0 || t >= classes) {
                throw new HearthException("cross_entropy: target " + t + " at row " + r + " is not a class index in 0.."
                        + (classes - 1) + " (nor the ignore index " + ignoreIndex + ")");
            }
            counted++;
        }
        Tensor x = logits.contiguous();
        float[] xd = x.data();
        int xo = x.offset();
        float[] rowMax = new float[rows];
        float[] logSum = new float[rows];
        double[] rowLoss = new double[rows];
        float eps = labelSmoothing;
        ComputePool.shared().parallelFor(rows, Math.max(1, 4096 / Math.max(classes, 1)), (r0, r1) -> {
            float[] tmp = new float[classes];
            for (int r = r0; r < r1; r++) {
                if (targets[r] == ignoreIndex) {
                    continue;
                }
                int o = xo + r * classes;
                float max = VectorMath.max(classes, xd, o);
                float sum = VectorMath.expShiftSum(classes, xd, o, max, tmp, 0);
                // log-sum-exp minus a logit, with the row max taken out of both sides for precision.
                float ls = (float) StrictMath.log(sum);
                rowMax[r] = max;
                logSum[r] = ls;
                double loss = (1 - eps) * (ls - (xd[o + targets[r]] - max));
                if (eps > 0) {
                    loss += eps * (ls - (VectorMath.sum(classes, xd, o) / classes - max));
                }
                rowLoss[r] = loss;
            }
        });
        double total = 0;
        for (double v : rowLoss) {
            total += v;
        }
        int count = counted;
        Tensor y = Tensor.scalar(count == 0 ? Float.NaN : (float) (total / count));
        return Autograd.record(y, "cross_entropy", new Tensor[] {logits}, g -> {
            float scale = g.item() / count;
            float[] dx = new float[rows * classes];
            ComputePool.shared().parallelFor(rows, Math.max(1, 4096 / Math.max(classes, 1)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    if (targets[r] == ignoreIndex) {
                        continue;
                    }
                    int o = r * classes;
                    VectorMath.addScalar(classes, -rowMax[r], xd, xo + o, dx, o);
                    VectorMath.addScalar(classes, -logSum[r], dx, o, dx, o);
                    VectorMath.exp(classes, dx, o, dx, o);
                    if (eps > 0) {
                        VectorMath.addScalar(classes, -eps / classes, dx, o, dx, o);
                    }
                    dx[o + targets[r]] -= 1 - eps;
                    VectorMath.scale(classes, scale, dx, o, dx, o);
                }
            });
            return new Tensor[] {Tensor.of(dx, logits.shape().toArray())};
        });
    }

    /** Cross-entropy with no ignored rows and no smoothing. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return crossEntropy(logits, targets, Integer.MIN_VALUE, 0f);
    }

    /** Mean of {@code (prediction - target)^2} over all elements. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        if (!prediction.shape().equals(target.shape())) {
            throw ShapeException.of("mse", prediction.shape(), target.shape(), "prediction and target must have the same shape");
        }
        Tensor diff = prediction.sub(target);
        return diff.mul(diff).mean();
    }
}
