package dev.hearth.engine.tensor;

import java.util.Arrays;

/** An immutable list of dimension sizes, outermost first. A scalar has rank 0 and one element. */
public final class Shape {
    private final int[] dims;
    private final int numel;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new ShapeException("shape " + Arrays.toString(dims) + " has a negative dimension");
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new ShapeException("shape " + Arrays.toString(dims) + " has more than "
                        + (Integer.MAX_VALUE - 8) + " elements, the most one tensor can hold; split the tensor");
            }
        }
        this.dims = dims;
        this.numel = (int) n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    static Shape wrap(int[] dims) {
        return new Shape(dims);
    }

    public static final Shape SCALAR = new Shape(new int[0]);

    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[axis(axis)];
    }

    /** Normalises a possibly negative axis to 0..rank-1, or throws naming the shape. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new ShapeException("axis " + axis + " is out of range for shape " + this);
        }
        return a;
    }

    public int numel() {
        return numel;
    }

    public int[] toArray() {
        return dims.clone();
    }

    /** Dimensions as a read-only view for hot loops; callers must not modify it. */
    int[] dimsUnsafe() {
        return dims;
    }

    /** Row-major (C-order) strides for this shape. */
    public int[] contiguousStrides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 1);
        }
        return s;
    }

    /** The shape with dimension {@code axis} replaced by {@code size}. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis)] = size;
        return new Shape(d);
    }

    /** The shape with dimension {@code axis} removed. */
    public Shape without(int axis) {
        int a = axis(axis);
        int[] d = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != a) {
                d[j++] = dims[i];
            }
        }
        return new Shape(d);
    }

    /** Product of dimensions [from, to). */
    public int product(int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** The numpy broadcast of two shapes, or a ShapeException naming the operation and both shapes. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) {
            return a;
        }
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw ShapeException.of(op, a, b, "dimension " + i + " of the broadcast is " + da + " in one and "
                        + db + " in the other (each must match or be 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i]);
        }
        return sb.append(dims.length == 1 ? ",)" : ")").toString();
    }
}
