package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * A table lookup {@code y = table[indices]}, table (V, D). Example i's gradient has a row for each distinct index
 * it used, the sum of the output gradients at the positions that used it, so its squared norm is
 * {@code sum over distinct indices v of |sum_{t: idx_t = v} d_t|^2}: T * D work, whatever V is.
 *
 * <p>A lookup shared by the whole batch (learned positions, shape (1, T, D)) is broadcast into each example by an
 * {@code add}; example i's share of its gradient is then that add's output gradient for example i, which is
 * where the output gradients are read from.
 */
final class EmbeddingUse extends ParameterUse {

    private final int[] indices;
    private final int dim;
    private Tensor broadcastInto; // the add's output when the lookup is shared by the batch, else null
    private int time;
    private boolean shared;

    EmbeddingUse(Node node, Tensor output) {
        super(node, output);
        this.indices = (int[]) node.attributes().get("indices");
        this.dim = output.dim(-1);
    }

    /** Reads the output gradients from {@code consumer}, an add that broadcasts this lookup over the batch. */
    void broadcastInto(Tensor consumer) {
        this.broadcastInto = consumer;
    }

    @Override
    Tensor deltaSource() {
        return broadcastInto != null ? broadcastInto : output;
    }

    @Override
    void bind(int examples) {
        Tensor source = deltaSource();
        shared = broadcastInto != null;
        if (shared) {
            if (source.numel() != (long) examples * output.numel()) {
                throw new DpException("DP-SGD expected the shared lookup of shape " + output.shape()
                        + " to be broadcast over " + examples + " examples, but the sum has shape " + source.shape());
            }
            time = indices.length;
        } else {
            time = rowsPerExample(op(), output, examples);
        }
        bindDelta(source);
    }

    private int index(int example, int t) {
        return shared ? indices[t] : indices[example * time + t];
    }

    @Override
    void addSquaredNorms(Tensor parameter, double[] sq) {
        ComputePool.shared().parallelFor(sq.length, (i0, i1) -> {
            long[] keys = new long[time];
            double[] row = new double[dim];
            for (int i = i0; i < i1; i++) {
                for (int t = 0; t < time; t++) {
                    keys[t] = ((long) index(i, t) << 32) | t;
                }
                Arrays.sort(keys);
                double s = 0;
                for (int a = 0; a < time; ) {
                    int v = (int) (keys[a] >>> 32);
                    Arrays.fill(row, 0);
                    int b = a;
                    for (; b < time && (int) (keys[b] >>> 32) == v; b++) {
                        int base = dOff + (i * time + (int) keys[b]) * dim;
                        for (int d = 0; d < dim; d++) {
                            row[d] += dd[base + d];
                        }
                    }
                    for (double r : row) {
                        s += r * r;
                    }
                    a = b;
                }
                sq[i] += s;
            }
        });
    }

    @Override
    void addGradient(Tensor parameter, int example, float[] gradient) {
        for (int t = 0; t < time; t++) {
            int base = dOff + (example * time + t) * dim;
            int target = index(example, t) * dim;
            for (int d = 0; d < dim; d++) {
                gradient[target + d] += dd[base + d];
            }
        }
    }
}
