package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.tensor.Tensor;

/**
 * One recorded operation that reads trainable parameters, seen from DP-SGD: after a batched backward pass that
 * kept the gradient of its output ({@link #deltaSource()}), it can tell each example's share of its parameters'
 * gradient, either as a squared norm (cheaply, without forming the gradient) or written out.
 *
 * <p>Tensors are laid out batch-major: the rows of an input or output gradient that belong to example i are
 * the i-th block of {@code rows / examples} consecutive rows.
 */
abstract class ParameterUse {

    protected final Node node;
    protected final Tensor output;

    ParameterUse(Node node, Tensor output) {
        this.node = node;
        this.output = output;
    }

    // What bind read, as contiguous storage: the operation's input (xd from xo) and the output gradient
    // (dd from dOff), the two factors every per-example gradient here is made of.
    float[] xd;
    int xo;
    float[] dd;
    int dOff;

    /** Reads the input's storage. */
    final void bindInput(Tensor x) {
        Tensor c = x.contiguous();
        xd = c.data();
        xo = c.offset();
    }

    /** Reads the gradient the batched backward pass kept on {@code source}. */
    final void bindDelta(Tensor source) {
        Tensor c = source.grad().contiguous();
        dd = c.data();
        dOff = c.offset();
    }

    /** The operation's name on the tape. */
    final String op() {
        return node.op();
    }

    /** The tensor whose gradient, kept by the batched backward pass, holds every example's output gradient. */
    Tensor deltaSource() {
        return output;
    }

    /** Reads what the backward pass kept; called once, after it, before any of the methods below. */
    abstract void bind(int examples);

    /** Adds to {@code squaredNorms[i]} the squared norm of example i's gradient of {@code parameter}. */
    abstract void addSquaredNorms(Tensor parameter, double[] squaredNorms);

    /** Adds example i's gradient of {@code parameter} into {@code gradient} (laid out as the parameter). */
    abstract void addGradient(Tensor parameter, int example, float[] gradient);

    /** Rows per example of a tensor whose leading rows (all dims but the last) are batch-major. */
    static int rowsPerExample(String op, Tensor t, int examples) {
        int cols = t.dim(-1);
        int rows = cols == 0 ? 0 : t.numel() / cols;
        if (rows % examples != 0) {
            throw new DpException("DP-SGD cannot tell the " + examples + " examples apart in the input of '" + op
                    + "' of shape " + t.shape() + ": its leading dimensions must hold one block of rows per example");
        }
        return rows / examples;
    }

    static double sumOfSquares(float[] a, int from, int n) {
        double s = 0;
        for (int k = from; k < from + n; k++) {
            s += (double) a[k] * a[k];
        }
        return s;
    }
}
