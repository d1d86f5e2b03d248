package dev.hearth.engine.tensor;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.autograd.AutogradException;
import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.ops.Activations;
import dev.hearth.engine.ops.Arithmetic;
import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.ops.Reductions;
import dev.hearth.engine.ops.Softmax;
import dev.hearth.engine.ops.Views;
import java.util.Arrays;

/**
 * An n-dimensional array of float32 values with automatic differentiation.
 *
 * <p>Storage is a {@code float[]} seen through an offset and per-dimension strides, so reshape,
 * transpose, permute, narrow, select and expand are views that copy nothing; {@link #contiguous()}
 * makes a row-major copy when a kernel needs one. The values of a tensor never change once an
 * operation has read it, except through the explicit in-place methods used by optimizers and
 * initialisers (which refuse to run on a tensor that requires gradients while recording).
 *
 * <p>Operations are methods ({@code x.matmul(w).add(b).gelu()}); each records its gradient rule
 * when an input requires gradients, and {@link #backward()} fills {@link #grad()} of every leaf
 * that asked for one, parameters and inputs alike.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final Shape shape;
    private final int[] strides;

    private boolean requiresGrad;
    private boolean retainGrad;
    private Tensor grad;
    private Node gradFn;
    private volatile boolean frozen;
    private volatile float[] panels;           // the frozen weight's layout for inference (panelsForInference)

    private Tensor(float[] data, int offset, Shape shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (no copy) as a row-major tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        Shape s = Shape.of(shape);
        if (data.length != s.numel()) {
            throw new ShapeException("Tensor.of: " + data.length + " values cannot fill shape " + s + " ("
                    + s.numel() + " elements)");
        }
        return new Tensor(data, 0, s, s.contiguousStrides());
    }

    /** A row-major tensor holding a copy of {@code data}. */
    public static Tensor copyOf(float[] data, int... shape) {
        return of(data.clone(), shape);
    }

    /**
     * A view of {@code data} with explicit offset and strides (in elements). Checks that every
     * element the view can reach lies inside the array.
     */
    public static Tensor strided(float[] data, int offset, Shape shape, int[] strides) {
        if (strides.length != shape.rank()) {
            throw new ShapeException("strided view: " + strides.length + " strides for shape " + shape);
        }
        if (shape.numel() > 0) {
            long lo = offset;
            long hi = offset;
            for (int i = 0; i < strides.length; i++) {
                long span = (long) (shape.dim(i) - 1) * strides[i];
                if (span < 0) {
                    lo += span;
                } else {
                    hi += span;
                }
            }
            if (lo < 0 || hi >= data.length) {
                throw new ShapeException("strided view of shape " + shape + " strides " + Arrays.toString(strides)
                        + " at offset " + offset + " reaches elements " + lo + ".." + hi + " of an array of "
                        + data.length);
            }
        }
        return new Tensor(data, offset, shape, strides.clone());
    }

    public static Tensor zeros(int... shape) {
        Shape s = Shape.of(shape);
        return new Tensor(new float[s.numel()], 0, s, s.contiguousStrides());
    }

    public static Tensor zeros(Shape s) {
        return new Tensor(new float[s.numel()], 0, s, s.contiguousStrides());
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, Shape.SCALAR, new int[0]);
    }

    /** 0, 1, ..., n-1 as a vector. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return of(d, n);
    }

    /** Normal(0, std) values from {@code rng}, filled in row-major order. */
    public static Tensor randn(Rng rng, float std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (rng.nextGaussian() * std);
        }
        return t;
    }

    /** Uniform values in [lo, hi) from {@code rng}, filled in row-major order. */
    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = lo + (hi - lo) * rng.nextFloat();
        }
        return t;
    }

    // ---------------------------------------------------------------- layout

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int numel() {
        return shape.numel();
    }

    /** The backing array; element (i, j, ...) lives at {@code offset() + i*stride(0) + j*stride(1) + ...}. */
    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int stride(int axis) {
        return strides[shape.axis(axis)];
    }

    public int[] strides() {
        return strides.clone();
    }

    /** True when elements are laid out row-major with no gaps, so {@code data()[offset()..]} reads them in order. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = strides.length - 1; i >= 0; i--) {
            int d = shape.dim(i);
            if (d != 1 && strides[i] != expected) {
                return false;
            }
            expected *= d;
        }
        return true;
    }

    /** Offset in {@link #data()} of the element at {@code index}. */
    public int offsetOf(int... index) {
        if (index.length != strides.length) {
            throw new ShapeException("index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates for a tensor of shape " + shape);
        }
        int o = offset;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new ShapeException("index " + Arrays.toString(index) + " is out of bounds for shape " + shape);
            }
            o += index[i] * strides[i];
        }
        return o;
    }

    public float get(int... index) {
        return data[offsetOf(index)];
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (shape.numel() != 1) {
            throw new ShapeException("item() needs a tensor with one element, got shape " + shape);
        }
        return data[offset];
    }

    /** The elements in row-major order, as a new array. */
    public float[] toFloatArray() {
        if (isContiguous()) {
            return Arrays.copyOfRange(data, offset, offset + shape.numel());
        }
        float[] out = new float[shape.numel()];
        StridedCopy.copy(this, out, 0);
        return out;
    }

    /** This tensor if already row-major, otherwise a row-major copy (differentiable). */
    public Tensor contiguous() {
        return isContiguous() ? this : Views.contiguous(this);
    }

    /** A new row-major tensor with the same values, not connected to the graph. */
    public Tensor copy() {
        return Tensor.of(toFloatArray(), shape.toArray());
    }

    // ---------------------------------------------------------------- in-place (optimizers, initialisers)

    private void checkInPlace(String what) {
        if (frozen) {
            throw new AutogradException(what + " on a tensor frozen for inference (Module.freezeForInference);"
                    + " load the model again to change it");
        }
        if (requiresGrad && Autograd.isEnabled()) {
            throw new AutogradException(what + " on a tensor that requires gradients while recording: wrap it in"
                    + " Autograd.noGrad() (optimizers and initialisers do)");
        }
    }

    private void checkContiguous(String what) {
        if (!isContiguous()) {
            throw new ShapeException(what + " needs a contiguous tensor, got shape " + shape + " strides "
                    + Arrays.toString(strides));
        }
    }

    public Tensor fill(float value) {
        checkInPlace("fill");
        checkContiguous("fill");
        Arrays.fill(data, offset, offset + shape.numel(), value);
        return this;
    }

    /** Copies the values of {@code src} into this tensor; both have the same shape, either may be a strided view. */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        if (!src.shape.equals(shape)) {
            throw ShapeException.of("copyFrom", shape, src.shape, "shapes must be equal");
        }
        if (isContiguous()) {
            if (src.isContiguous()) {
                System.arraycopy(src.data, src.offset, data, offset, shape.numel());
            } else {
                StridedCopy.copy(src, data, offset);
            }
        } else {
            StridedCopy.copyInto(src, this);
        }
        return this;
    }

    /** {@code this += alpha * other} (same shape). */
    public Tensor addInPlace(Tensor other, float alpha) {
        checkInPlace("addInPlace");
        checkContiguous("addInPlace");
        if (!other.shape.equals(shape)) {
            throw ShapeException.of("addInPlace", shape, other.shape, "shapes must be equal");
        }
        Tensor o = other.isContiguous() ? other : other.copy();
        dev.hearth.engine.kernels.VectorMath.axpy(shape.numel(), alpha, o.data, o.offset, data, offset);
        return this;
    }

    /** {@code this *= factor}. */
    public Tensor scaleInPlace(float factor) {
        checkInPlace("scaleInPlace");
        checkContiguous("scaleInPlace");
        dev.hearth.engine.kernels.VectorMath.scale(shape.numel(), factor, data, offset, data, offset);
        return this;
    }

    // ---------------------------------------------------------------- autograd

    /** True for leaves that asked for gradients and for every result computed from one while recording. */
    /**
     * Promises that this tensor's values never change again (a served model's weights): in-place
     * operations and optimizers refuse it, and kernels may keep derived layouts of it
     * ({@link #panelsForInference}).
     */
    public Tensor freeze() {
        requiresGrad = false;
        frozen = true;
        return this;
    }

    public boolean frozen() {
        return frozen;
    }

    /**
     * For a frozen (rows, cols) tensor W: W^T laid out in {@link Gemm#panels}, made once and kept.
     * What {@code MatMul.linear} reads as the weight of a served model, where each panel of output
     * columns is one sequential stream.
     */
    public float[] panelsForInference() {
        if (!frozen || rank() != 2) {
            throw new ShapeException("only a frozen matrix keeps its panels; this one is "
                    + (frozen ? "of shape " + shape : "not frozen"));
        }
        float[] t = panels;
        if (t == null) {
            synchronized (this) {
                t = panels;
                if (t == null) {
                    t = Gemm.panels(dim(0), dim(1), data, offset, strides[0], strides[1]);
                    panels = t;
                }
            }
        }
        return t;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf (a parameter or an input) as needing its gradient. Returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new AutogradException("requiresGrad can only be set on a leaf tensor; this one was computed by '"
                    + gradFn.op() + "' (use detach() to start a new leaf)");
        }
        this.requiresGrad = value;
        return this;
    }

    /** Also keep the gradient of this computed tensor in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    public boolean retainsGrad() {
        return retainGrad;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The recorded operation that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Used by operations to record how this tensor was made. */
    public void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** The accumulated gradient, or null if backward has not reached this tensor. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape)) {
            throw ShapeException.of("setGrad", shape, g.shape, "a gradient must have the shape of its tensor");
        }
        this.grad = g;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        this.grad = null;
    }

    /** Adds {@code g} to the accumulated gradient (copying it, so later accumulation never aliases). */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = g.copy();
        } else {
            try (Autograd.Scope s = Autograd.noGrad()) {
                grad.addInPlace(g, 1f);
            }
        }
    }

    /** The same values as a new leaf that does not require gradients. */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides);
    }

    /** Back-propagates from this scalar. */
    public void backward() {
        Autograd.backward(this);
    }

    /** Back-propagates from this tensor with the given gradient of the final loss with respect to it. */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed, false);
    }

    // ---------------------------------------------------------------- views

    /** Same elements in a new shape; one dimension may be -1. A view when the layout allows, else a copy. */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** The last two dimensions swapped. */
    public Tensor mT() {
        return Views.transpose(this, -2, -1);
    }

    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    /** Elements {@code start..start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** Elements {@code start..end-1} along {@code dim}. */
    public Tensor slice(int dim, int start, int end) {
        return Views.narrow(this, dim, start, end - start);
    }

    /** The slice at {@code index} along {@code dim}, with that dimension removed. */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /** Broadcasts size-1 dimensions (and new leading ones) to {@code newShape} without copying. */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    /** Dimensions {@code start..end} (inclusive, negative allowed) merged into one. */
    public Tensor flatten(int start, int end) {
        return Views.flatten(this, start, end);
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Tensor add(Tensor other) {
        return Arithmetic.add(this, other);
    }

    public Tensor sub(Tensor other) {
        return Arithmetic.sub(this, other);
    }

    public Tensor mul(Tensor other) {
        return Arithmetic.mul(this, other);
    }

    public Tensor div(Tensor other) {
        return Arithmetic.div(this, other);
    }

    public Tensor add(float value) {
        return Arithmetic.addScalar(this, value);
    }

    /** Multiplies every element by {@code factor}. */
    public Tensor scale(float factor) {
        return Arithmetic.scale(this, factor);
    }

    public Tensor neg() {
        return Arithmetic.scale(this, -1f);
    }

    /** Elementwise {@code x^exponent}. */
    public Tensor pow(float exponent) {
        return Arithmetic.pow(this, exponent);
    }

    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    // ---------------------------------------------------------------- pointwise functions

    public Tensor exp() {
        return Activations.exp(this);
    }

    public Tensor log() {
        return Activations.log(this);
    }

    public Tensor sqrt() {
        return Activations.sqrt(this);
    }

    public Tensor relu() {
        return Activations.relu(this);
    }

    /** GELU with the exact erf form, {@code x * Phi(x)}. */
    public Tensor gelu() {
        return Activations.gelu(this);
    }

    /** GELU with GPT-2's tanh approximation. */
    public Tensor geluTanh() {
        return Activations.geluTanh(this);
    }

    public Tensor silu() {
        return Activations.silu(this);
    }

    public Tensor tanh() {
        return Activations.tanh(this);
    }

    public Tensor sigmoid() {
        return Activations.sigmoid(this);
    }

    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements, as a scalar. */
    public Tensor sum() {
        return Reductions.sum(this, allDims(), false);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, allDims(), false);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, new int[] {dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    /** Largest element, as a scalar. */
    public Tensor max() {
        return Reductions.max(this, allDims(), false);
    }

    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, new int[] {dim}, keepDim);
    }

    /** Index of the largest element along the last dimension for each row (no gradient). */
    public int[] argmaxLastDim() {
        return Reductions.argmaxLastDim(this);
    }

    private int[] allDims() {
        int[] d = new int[shape.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(shape).append(" [");
        int n = Math.min(numel(), 8);
        float[] v = isContiguous() ? Arrays.copyOfRange(data, offset, offset + n) : toFloatArray();
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(v[i]);
        }
        if (n < numel()) {
            sb.append(", ...");
        }
        sb.append(']');
        if (gradFn != null) {
            sb.append(" grad_fn=").append(gradFn.op());
        } else if (requiresGrad) {
            sb.append(" requires_grad");
        }
        return sb.toString();
    }
}
