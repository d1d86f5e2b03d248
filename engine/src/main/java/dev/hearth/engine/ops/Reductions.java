package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.RowCursor;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Arrays;

/** Sum, mean and max over chosen dimensions, with or without keeping them as size 1. */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        boolean[] reduce = reducedAxes(x.shape(), dims, "sum");
        Shape kept = keptShape(x.shape(), reduce);
        Tensor out = Tensor.zeros(kept);
        sumInto(x.contiguous(), reduce, out.data());
        Shape outShape = keepDim ? kept : squeezed(x.shape(), reduce);
        Tensor y = Tensor.of(out.data(), outShape.toArray());
        Shape from = x.shape();
        return Autograd.record(y, "sum", new Tensor[] {x}, g -> new Tensor[] {g.reshape(kept.toArray())
                .expand(from.toArray()).contiguous()});
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        boolean[] reduce = reducedAxes(x.shape(), dims, "mean");
        int count = 1;
        for (int i = 0; i < reduce.length; i++) {
            if (reduce[i]) {
                count *= x.dim(i);
            }
        }
        return sum(x, dims, keepDim).scale(count == 0 ? Float.NaN : 1f / count);
    }

    /** Largest value over {@code dims}; the gradient flows to the first position of the maximum. */
    public static Tensor max(Tensor x, int[] dims, boolean keepDim) {
        boolean[] reduce = reducedAxes(x.shape(), dims, "max");
        Tensor y = x;
        for (int d = reduce.length - 1; d >= 0; d--) {
            if (reduce[d]) {
                y = maxAlong(y, d);
            }
        }
        return keepDim ? y : y.reshape(squeezed(x.shape(), reduce).toArray());
    }

    /** Max over one dimension, kept as size 1. */
    private static Tensor maxAlong(Tensor x, int d) {
        Tensor c = x.contiguous();
        int outer = x.shape().product(0, d);
        int r = x.dim(d);
        int inner = x.shape().product(d + 1, x.rank());
        if (r == 0) {
            throw ShapeException.of("max", x.shape(), "cannot take the max over an empty dimension " + d);
        }
        float[] src = c.data();
        int base = c.offset();
        float[] out = new float[outer * inner];
        int[] arg = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int at = base + o * r * inner + i;
                float m = src[at];
                int best = 0;
                for (int k = 1; k < r; k++) {
                    float v = src[at + k * inner];
                    if (v > m || (Float.isNaN(v) && !Float.isNaN(m))) {
                        m = v;
                        best = k;
                    }
                }
                out[o * inner + i] = m;
                arg[o * inner + i] = best;
            }
        }
        Shape from = x.shape();
        Tensor y = Tensor.of(out, from.with(d, 1).toArray());
        return Autograd.record(y, "max", new Tensor[] {x}, g -> {
            float[] gd = g.contiguous().toFloatArray();
            float[] dx = new float[from.numel()];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    dx[o * r * inner + arg[o * inner + i] * inner + i] = gd[o * inner + i];
                }
            }
            return new Tensor[] {Tensor.of(dx, from.toArray())};
        });
    }

    /** Index of the largest element in each row of the last dimension (ties: the first). */
    public static int[] argmaxLastDim(Tensor x) {
        Tensor c = x.contiguous();
        int cols = x.dim(-1);
        int rows = x.numel() / Math.max(cols, 1);
        int[] out = new int[rows];
        float[] d = c.data();
        for (int r = 0; r < rows; r++) {
            int at = c.offset() + r * cols;
            int best = 0;
            for (int k = 1; k < cols; k++) {
                if (d[at + k] > d[at + best]) {
                    best = k;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** Sums a broadcast gradient back down to {@code target} (the shape before broadcasting). */
    public static Tensor sumTo(Tensor g, Shape target) {
        if (g.shape().equals(target)) {
            return g;
        }
        int r = g.rank();
        int lead = r - target.rank();
        int[] dims = new int[r];
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (i < lead || (target.dim(i - lead) == 1 && g.dim(i) != 1)) {
                dims[n++] = i;
            }
        }
        Tensor s = n == 0 ? g : sum(g, Arrays.copyOf(dims, n), true);
        return s.reshape(target.toArray());
    }

    // ------------------------------------------------------------------ helpers

    private static boolean[] reducedAxes(Shape s, int[] dims, String op) {
        boolean[] reduce = new boolean[s.rank()];
        for (int d : dims) {
            int a = s.axis(d);
            if (reduce[a]) {
                throw ShapeException.of(op, s, "dimension " + d + " is listed twice");
            }
            reduce[a] = true;
        }
        return reduce;
    }

    private static Shape keptShape(Shape s, boolean[] reduce) {
        int[] d = s.toArray();
        for (int i = 0; i < d.length; i++) {
            if (reduce[i]) {
                d[i] = 1;
            }
        }
        return Shape.of(d);
    }

    private static Shape squeezed(Shape s, boolean[] reduce) {
        int n = 0;
        for (boolean b : reduce) {
            n += b ? 0 : 1;
        }
        int[] d = new int[n];
        for (int i = 0, j = 0; i < reduce.length; i++) {
            if (!reduce[i]) {
                d[j++] = s.dim(i);
            }
        }
        return Shape.of(d);
    }

    /**
     * Adds each element of contiguous {@code x} into {@code out} (laid out as x's shape with the
     * reduced dimensions set to 1). Rows of the last dimension are summed with a vector loop when
     * that dimension is reduced, or added as vectors otherwise.
     */
    private static void sumInto(Tensor x, boolean[] reduce, float[] out) {
        int rank = x.rank();
        if (rank == 0) {
            out[0] = x.item();
            return;
        }
        int cols = x.dim(-1);
        if (cols == 0 || x.numel() == 0) {
            return;
        }
        int rows = x.numel() / cols;
        boolean lastReduced = reduce[rank - 1];
        int[] lead = new int[rank - 1];
        int[] inStr = new int[rank - 1];
        int[] outStr = new int[rank - 1];
        int acc = lastReduced ? 1 : cols;
        for (int d = rank - 2; d >= 0; d--) {
            lead[d] = x.dim(d);
            inStr[d] = x.stride(d);
            outStr[d] = reduce[d] ? 0 : acc;
            acc *= reduce[d] ? 1 : x.dim(d);
        }
        float[] src = x.data();
        // When the reduced dimensions are exactly the trailing ones, each output sums one contiguous block.
        int suffix = rank;
        while (suffix > 0 && reduce[suffix - 1]) {
            suffix--;
        }
        boolean onlyTrailing = lastReduced;
        for (int d = 0; d < suffix; d++) {
            onlyTrailing &= !reduce[d];
        }
        if (onlyTrailing) {
            int blockSize = x.shape().product(suffix, rank);
            int outN = x.numel() / blockSize;
            ComputePool.shared().parallelFor(outN, Math.max(1, 65536 / blockSize), (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    out[o] = VectorMath.sum(blockSize, src, x.offset() + o * blockSize);
                }
            });
            return;
        }
        RowCursor cur = new RowCursor(lead, new int[][] {inStr, outStr}, new int[] {x.offset(), 0});
        cur.seek(0);
        for (int r = 0; r < rows; r++, cur.next()) {
            int so = cur.offset(0);
            int oo = cur.offset(1);
            if (lastReduced) {
                out[oo] += VectorMath.sum(cols, src, so);
            } else {
                VectorMath.axpy(cols, 1f, src, so, out, oo);
            }
        }
    }
}
