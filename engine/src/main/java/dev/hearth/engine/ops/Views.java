package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.StridedCopy;
import dev.hearth.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Operations that change how elements are seen, not their values: reshape, transpose, permute,
 * narrow, select, (un)squeeze, expand (all views, no copy), and concat, split, stack. Each
 * records a gradient rule that undoes the view.
 */
public final class Views {
    private Views() {}

    /** A row-major copy (differentiable; the gradient passes straight through). */
    public static Tensor contiguous(Tensor x) {
        float[] out = new float[x.numel()];
        StridedCopy.copy(x, out, 0);
        Tensor y = Tensor.of(out, x.shape().toArray());
        return Autograd.record(y, "contiguous", new Tensor[] {x}, g -> new Tensor[] {g});
    }

    public static Tensor reshape(Tensor x, int... newShape) {
        Shape target = inferShape(x.shape(), newShape);
        Shape from = x.shape();
        int[] strides = viewStrides(x, target);
        Tensor y;
        if (strides != null) {
            y = Tensor.strided(x.data(), x.offset(), target, strides);
        } else {
            float[] out = new float[x.numel()];
            StridedCopy.copy(x, out, 0);
            y = Tensor.of(out, target.toArray());
        }
        return Autograd.record(y, "reshape", new Tensor[] {x}, g -> new Tensor[] {g.reshape(from.toArray())});
    }

    /** Fills in a -1 and checks the element count. */
    static Shape inferShape(Shape from, int[] dims) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException("reshape " + from + " to " + Arrays.toString(dims)
                            + ": only one dimension may be -1");
                }
                infer = i;
            } else if (dims[i] < 0) {
                throw new ShapeException("reshape " + from + " to " + Arrays.toString(dims) + ": negative dimension");
            } else {
                known *= dims[i];
            }
        }
        int[] out = dims.clone();
        if (infer >= 0) {
            if (known == 0 || from.numel() % known != 0) {
                throw new ShapeException("reshape " + from + " (" + from.numel() + " elements) to "
                        + Arrays.toString(dims) + ": the other dimensions do not divide the element count");
            }
            out[infer] = (int) (from.numel() / known);
            known *= out[infer];
        }
        if (known != from.numel()) {
            throw new ShapeException("reshape " + from + " (" + from.numel() + " elements) to "
                    + Arrays.toString(dims) + " (" + known + " elements): element counts differ");
        }
        return Shape.of(out);
    }

    /**
     * Strides that show {@code x}'s elements in {@code target} shape without copying, or null when
     * the layout does not allow it (as in PyTorch's view: each group of merged or split
     * dimensions must be contiguous within itself).
     */
    static int[] viewStrides(Tensor x, Shape target) {
        if (x.isContiguous()) {
            return target.contiguousStrides();
        }
        // Drop size-1 dimensions from the source, then match groups of dimensions by element count.
        int[] oldDims = x.shape().toArray();
        int[] oldStr = x.strides();
        int[] newDims = target.toArray();
        int[] newStr = new int[newDims.length];
        int oi = 0;
        int ni = 0;
        int on = oldDims.length;
        int nn = newDims.length;
        while (ni < nn || oi < on) {
            while (oi < on && oldDims[oi] == 1) {
                oi++;
            }
            while (ni < nn && newDims[ni] == 1) {
                newStr[ni] = 1;
                ni++;
            }
            if (oi >= on && ni >= nn) {
                break;
            }
            if (oi >= on || ni >= nn) {
                return null;
            }
            // Collect a group of old dims [oi, oEnd) and new dims [ni, nEnd) with equal products.
            long op = oldDims[oi];
            long np = newDims[ni];
            int oEnd = oi + 1;
            int nEnd = ni + 1;
            while (op != np) {
                if (op < np) {
                    if (oEnd >= on) {
                        return null;
                    }
                    op *= oldDims[oEnd++];
                } else {
                    if (nEnd >= nn) {
                        return null;
                    }
                    np *= newDims[nEnd++];
                }
            }
            // The old group must be contiguous within itself (ignoring size-1 dims).
            int prev = -1;
            for (int d = oEnd - 1; d >= oi; d--) {
                if (oldDims[d] == 1) {
                    continue;
                }
                if (prev >= 0 && oldStr[d] != oldStr[prev] * oldDims[prev]) {
                    return null;
                }
                prev = d;
            }
            int stride = prev >= 0 ? oldStr[lastNonOne(oldDims, oi, oEnd)] : 1;
            for (int d = nEnd - 1; d >= ni; d--) {
                newStr[d] = stride;
                stride *= newDims[d];
            }
            oi = oEnd;
            ni = nEnd;
        }
        return newStr;
    }

    private static int lastNonOne(int[] dims, int from, int to) {
        for (int d = to - 1; d >= from; d--) {
            if (dims[d] != 1) {
                return d;
            }
        }
        return from;
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.rank();
        int[] order = new int[r];
        for (int i = 0; i < r; i++) {
            order[i] = i;
        }
        int a = x.shape().axis(dim0);
        int b = x.shape().axis(dim1);
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    public static Tensor permute(Tensor x, int... order) {
        int r = x.rank();
        if (order.length != r) {
            throw new ShapeException("permute " + Arrays.toString(order) + " of shape " + x.shape()
                    + ": give one entry per dimension (" + r + ")");
        }
        int[] dims = new int[r];
        int[] strides = new int[r];
        int[] inverse = new int[r];
        boolean[] used = new boolean[r];
        for (int i = 0; i < r; i++) {
            int src = x.shape().axis(order[i]);
            if (used[src]) {
                throw new ShapeException("permute " + Arrays.toString(order) + " of shape " + x.shape()
                        + ": dimension " + src + " appears twice");
            }
            used[src] = true;
            dims[i] = x.dim(src);
            strides[i] = x.stride(src);
            inverse[src] = i;
        }
        Tensor y = Tensor.strided(x.data(), x.offset(), Shape.of(dims), strides);
        return Autograd.record(y, "permute", new Tensor[] {x}, g -> new Tensor[] {g.permute(inverse)});
    }

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = x.shape().axis(dim);
        int size = x.dim(d);
        if (start < 0 || length < 0 || start + length > size) {
            throw new ShapeException("narrow of shape " + x.shape() + " along dimension " + d + ": elements "
                    + start + ".." + (start + length - 1) + " are outside 0.." + (size - 1));
        }
        Tensor y = Tensor.strided(x.data(), x.offset() + start * x.stride(d), x.shape().with(d, length), x.strides());
        Shape from = x.shape();
        return Autograd.record(y, "narrow", new Tensor[] {x}, g -> {
            Tensor full = Tensor.zeros(from);
            Tensor window = Tensor.strided(full.data(), start * full.stride(d), g.shape(), full.strides());
            window.copyFrom(g);
            return new Tensor[] {full};
        });
    }

    public static Tensor select(Tensor x, int dim, int index) {
        int d = x.shape().axis(dim);
        int size = x.dim(d);
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new ShapeException("select index " + index + " along dimension " + d + " of shape " + x.shape()
                    + " is out of range");
        }
        return narrow(x, d, i, 1).squeeze(d);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.rank();
        int d = dim < 0 ? dim + r + 1 : dim;
        if (d < 0 || d > r) {
            throw new ShapeException("unsqueeze at " + dim + " of shape " + x.shape() + " is out of range");
        }
        int[] dims = new int[r + 1];
        int[] strides = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                dims[i] = 1;
                strides[i] = j < r ? x.stride(j) * x.dim(j) : 1;
            } else {
                dims[i] = x.dim(j);
                strides[i] = x.stride(j);
                j++;
            }
        }
        Tensor y = Tensor.strided(x.data(), x.offset(), Shape.of(dims), strides);
        Shape from = x.shape();
        return Autograd.record(y, "unsqueeze", new Tensor[] {x}, g -> new Tensor[] {g.reshape(from.toArray())});
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = x.shape().axis(dim);
        if (x.dim(d) != 1) {
            throw new ShapeException("squeeze dimension " + d + " of shape " + x.shape() + ": its size is "
                    + x.dim(d) + ", not 1");
        }
        int[] strides = new int[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i != d) {
                strides[j++] = x.stride(i);
            }
        }
        Tensor y = Tensor.strided(x.data(), x.offset(), x.shape().without(d), strides);
        Shape from = x.shape();
        return Autograd.record(y, "squeeze", new Tensor[] {x}, g -> new Tensor[] {g.reshape(from.toArray())});
    }

    public static Tensor expand(Tensor x, int... newShape) {
        int r = newShape.length;
        int xr = x.rank();
        if (r < xr) {
            throw ShapeException.of("expand", x.shape(), Shape.of(newShape), "cannot expand to fewer dimensions");
        }
        int[] strides = new int[r];
        int[] dims = newShape.clone();
        for (int i = 0; i < r; i++) {
            int xi = i - (r - xr);
            int xd = xi >= 0 ? x.dim(xi) : 1;
            if (dims[i] == -1) {
                dims[i] = xd;
            }
            if (xi >= 0 && xd == dims[i]) {
                strides[i] = x.stride(xi);
            } else if (xd == 1) {
                strides[i] = 0;
            } else {
                throw ShapeException.of("expand", x.shape(), Shape.of(newShape), "dimension " + i + " has size " + xd
                        + " which is neither 1 nor " + dims[i]);
            }
        }
        Tensor y = Tensor.strided(x.data(), x.offset(), Shape.of(dims), strides);
        Shape from = x.shape();
        return Autograd.record(y, "expand", new Tensor[] {x}, g -> new Tensor[] {Reductions.sumTo(g, from)});
    }

    public static Tensor flatten(Tensor x, int start, int end) {
        int r = x.rank();
        if (r == 0) {
            return reshape(x, 1);
        }
        int s = x.shape().axis(start);
        int e = x.shape().axis(end);
        if (e < s) {
            throw new ShapeException("flatten of shape " + x.shape() + ": end dimension " + end + " is before start "
                    + start);
        }
        int[] dims = new int[r - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) {
            dims[j++] = x.dim(i);
        }
        dims[j++] = x.shape().product(s, e + 1);
        for (int i = e + 1; i < r; i++) {
            dims[j++] = x.dim(i);
        }
        return reshape(x, dims);
    }

    /** Joins tensors along {@code dim}; all other dimensions must match. */
    public static Tensor concat(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new ShapeException("concat of no tensors");
        }
        Tensor first = parts.get(0);
        int d = first.shape().axis(dim);
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != first.rank()) {
                throw ShapeException.of("concat", first.shape(), p.shape(), "ranks differ");
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != d && p.dim(i) != first.dim(i)) {
                    throw ShapeException.of("concat", first.shape(), p.shape(),
                            "dimension " + i + " differs (only dimension " + d + " may)");
                }
            }
            total += p.dim(d);
        }
        Tensor out = Tensor.zeros(first.shape().with(d, total));
        int[] sizes = new int[parts.size()];
        int at = 0;
        for (int k = 0; k < parts.size(); k++) {
            Tensor p = parts.get(k);
            sizes[k] = p.dim(d);
            Tensor window = Tensor.strided(out.data(), at * out.stride(d), p.shape(), out.strides());
            window.copyFrom(p.detach());
            at += sizes[k];
        }
        Tensor[] inputs = parts.toArray(new Tensor[0]);
        return Autograd.record(out, "concat", inputs, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            int o = 0;
            for (int k = 0; k < inputs.length; k++) {
                grads[k] = g.narrow(d, o, sizes[k]).contiguous();
                o += sizes[k];
            }
            return grads;
        });
    }

    /** Cuts {@code x} along {@code dim} into pieces of the given sizes (views). */
    public static List<Tensor> split(Tensor x, int dim, int... sizes) {
        int d = x.shape().axis(dim);
        int sum = 0;
        for (int s : sizes) {
            sum += s;
        }
        if (sum != x.dim(d)) {
            throw new ShapeException("split of shape " + x.shape() + " along dimension " + d + " into "
                    + Arrays.toString(sizes) + ": the sizes add up to " + sum + ", not " + x.dim(d));
        }
        Tensor[] out = new Tensor[sizes.length];
        int at = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = narrow(x, d, at, sizes[k]);
            at += sizes[k];
        }
        return List.of(out);
    }

    /** Stacks equally shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new ShapeException("stack of no tensors");
        }
        Shape s = parts.get(0).shape();
        Tensor[] expanded = new Tensor[parts.size()];
        for (int k = 0; k < parts.size(); k++) {
            if (!parts.get(k).shape().equals(s)) {
                throw ShapeException.of("stack", s, parts.get(k).shape(), "every tensor must have the same shape");
            }
            expanded[k] = unsqueeze(parts.get(k), dim);
        }
        return concat(List.of(expanded), dim);
    }
}
