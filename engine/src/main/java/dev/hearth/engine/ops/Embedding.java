package dev.hearth.engine.ops;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/** Row lookup in a table: the gather of embedding layers, with a scatter-add gradient. */
public final class Embedding {
    private Embedding() {}

    /**
     * Rows {@code indices} of {@code table (V, D)}, shaped {@code (indexShape..., D)}. The gradient
     * adds each output row's gradient into its table row (rows used twice receive both), in index
     * order, so it is deterministic.
     */
    public static Tensor lookup(Tensor table, int[] indices, int... indexShape) {
        if (table.rank() != 2) {
            throw ShapeException.of("embedding", table.shape(), "the table must be (rows, dim)");
        }
        Shape is = Shape.of(indexShape);
        if (is.numel() != indices.length) {
            throw new ShapeException("embedding: " + indices.length + " indices do not fill index shape " + is);
        }
        int v = table.dim(0);
        int d = table.dim(1);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= v) {
                throw new HearthException("embedding: index " + indices[i] + " at position " + i
                        + " is outside the table's " + v + " rows (0.." + (v - 1) + ")");
            }
        }
        Tensor t = table.contiguous();
        float[] out = new float[indices.length * d];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(t.data(), t.offset() + indices[i] * d, out, i * d, d);
        }
        int[] outDims = new int[indexShape.length + 1];
        System.arraycopy(indexShape, 0, outDims, 0, indexShape.length);
        outDims[indexShape.length] = d;
        Tensor y = Tensor.of(out, outDims);
        int[] idx = indices.clone();
        return Autograd.record(y, "embedding", new Tensor[] {table}, Map.of("indices", idx), g -> {
            Tensor gc = g.contiguous();
            float[] dt = new float[v * d];
            for (int i = 0; i < idx.length; i++) {
                VectorMath.axpy(d, 1f, gc.data(), gc.offset() + i * d, dt, idx[i] * d);
            }
            return new Tensor[] {Tensor.of(dt, v, d)};
        });
    }
}
