package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Tensor;

/** Softmax and log-softmax along one dimension, computed stably (the row maximum is subtracted). */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor x, int dim) {
        int d = x.shape().axis(dim);
        if (d != x.rank() - 1) {
            return softmax(x.transpose(d, -1), -1).transpose(d, -1);
        }
        Tensor y = Tensor.of(rows(x, false), x.shape().toArray());
        return Autograd.record(y, "softmax", new Tensor[] {x}, g -> new Tensor[] {softmaxBackward(y, g)});
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = x.shape().axis(dim);
        if (d != x.rank() - 1) {
            return logSoftmax(x.transpose(d, -1), -1).transpose(d, -1);
        }
        Tensor y = Tensor.of(rows(x, true), x.shape().toArray());
        return Autograd.record(y, "log_softmax", new Tensor[] {x}, g -> new Tensor[] {logSoftmaxBackward(y, g)});
    }

    /** Softmax (or log-softmax) of every row of the last dimension of x. */
    private static float[] rows(Tensor x, boolean log) {
        Tensor c = x.contiguous();
        int cols = x.dim(-1);
        float[] out = new float[x.numel()];
        if (cols == 0) {
            return out;
        }
        int rows = out.length / cols;
        float[] src = c.data();
        int base = c.offset();
        ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int so = base + r * cols;
                int oo = r * cols;
                float max = VectorMath.max(cols, src, so);
                float sum = VectorMath.expShiftSum(cols, src, so, max, out, oo);
                if (log) {
                    // (x - max) - log(sum): subtracting max first keeps precision for large logits.
                    VectorMath.addScalar(cols, -max, src, so, out, oo);
                    VectorMath.addScalar(cols, -(float) StrictMath.log(sum), out, oo, out, oo);
                } else {
                    VectorMath.scale(cols, 1f / sum, out, oo, out, oo);
                }
            }
        });
        return out;
    }

    /** dx = y * (g - sum(g * y)) per row. */
    private static Tensor softmaxBackward(Tensor y, Tensor g) {
        Tensor gc = g.contiguous();
        int cols = y.dim(-1);
        float[] yd = y.data();
        float[] gd = gc.data();
        int go = gc.offset();
        float[] dx = new float[y.numel()];
        int rows = cols == 0 ? 0 : dx.length / cols;
        ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                float dot = VectorMath.dot(cols, gd, go + o, yd, o);
                VectorMath.addScalar(cols, -dot, gd, go + o, dx, o);
                VectorMath.binary(VectorMath.Binary.MUL, cols, dx, o, 1, yd, o, 1, dx, o);
            }
        });
        return Tensor.of(dx, y.shape().toArray());
    }

    /** dx = g - exp(y) * sum(g) per row. */
    private static Tensor logSoftmaxBackward(Tensor y, Tensor g) {
        Tensor gc = g.contiguous();
        int cols = y.dim(-1);
        float[] yd = y.data();
        float[] gd = gc.data();
        int go = gc.offset();
        float[] dx = new float[y.numel()];
        int rows = cols == 0 ? 0 : dx.length / cols;
        ComputePool.shared().parallelFor(rows, Math.max(1, 8192 / Math.max(cols, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                float sum = VectorMath.sum(cols, gd, go + o);
                VectorMath.exp(cols, yd, o, dx, o);
                VectorMath.scale(cols, -sum, dx, o, dx, o);
                VectorMath.axpy(cols, 1f, gd, go + o, dx, o);
            }
        });
        return Tensor.of(dx, y.shape().toArray());
    }
}
