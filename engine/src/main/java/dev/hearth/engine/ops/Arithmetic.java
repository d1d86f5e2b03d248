package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.kernels.VectorMath.Binary;
import dev.hearth.engine.tensor.RowCursor;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.Tensor;

/** Elementwise add, sub, mul, div with numpy broadcasting, and scalar forms. */
public final class Arithmetic {
    private Arithmetic() {}

    public static Tensor add(Tensor a, Tensor b) {
        Tensor y = binary(Binary.ADD, "add", a, b);
        return Autograd.record(y, "add", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(g, a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(g, b.shape()) : null});
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor y = binary(Binary.SUB, "sub", a, b);
        return Autograd.record(y, "sub", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(g, a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(g.scale(-1f), b.shape()) : null});
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor y = binary(Binary.MUL, "mul", a, b);
        return Autograd.record(y, "mul", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(g.mul(b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(g.mul(a), b.shape()) : null});
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor y = binary(Binary.DIV, "div", a, b);
        return Autograd.record(y, "div", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(g.div(b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(g.mul(y).div(b).scale(-1f), b.shape()) : null});
    }

    public static Tensor addScalar(Tensor x, float value) {
        Tensor c = x.contiguous();
        float[] out = new float[x.numel()];
        VectorMath.addScalar(out.length, value, c.data(), c.offset(), out, 0);
        Tensor y = Tensor.of(out, x.shape().toArray());
        return Autograd.record(y, "add_scalar", new Tensor[] {x}, g -> new Tensor[] {g});
    }

    public static Tensor scale(Tensor x, float factor) {
        Tensor c = x.contiguous();
        float[] out = new float[x.numel()];
        VectorMath.scale(out.length, factor, c.data(), c.offset(), out, 0);
        Tensor y = Tensor.of(out, x.shape().toArray());
        return Autograd.record(y, "scale", new Tensor[] {x}, g -> new Tensor[] {g.scale(factor)});
    }

    /** {@code x^p} elementwise; the gradient is {@code p x^(p-1)}. */
    public static Tensor pow(Tensor x, float p) {
        Tensor c = x.contiguous();
        float[] src = c.data();
        int off = c.offset();
        float[] out = new float[x.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = power(src[off + i], p);
        }
        Tensor y = Tensor.of(out, x.shape().toArray());
        return Autograd.record(y, "pow", new Tensor[] {x}, g -> {
            float[] gd = g.contiguous().toFloatArray();
            float[] dx = new float[out.length];
            for (int i = 0; i < dx.length; i++) {
                dx[i] = gd[i] * p * power(src[off + i], p - 1);
            }
            return new Tensor[] {Tensor.of(dx, x.shape().toArray())};
        });
    }

    private static float power(float v, float p) {
        if (p == 2f) {
            return v * v;
        }
        if (p == 1f) {
            return v;
        }
        if (p == 0f) {
            return 1f;
        }
        return (float) StrictMath.pow(v, p);
    }

    /** Broadcast {@code a (op) b} into a new row-major tensor. */
    static Tensor binary(Binary op, String name, Tensor a, Tensor b) {
        Shape out = Shape.broadcast(name, a.shape(), b.shape());
        int n = out.numel();
        float[] c = new float[n];
        if (n == 0) {
            return Tensor.of(c, out.toArray());
        }
        // Flat fast paths: same shape and both row-major, or one side a single value.
        boolean aFlat = a.isContiguous() && a.numel() == n;
        boolean bFlat = b.isContiguous() && b.numel() == n;
        if ((aFlat || a.numel() == 1) && (bFlat || b.numel() == 1)) {
            int as = aFlat ? 1 : 0;
            int bs = bFlat ? 1 : 0;
            ComputePool.shared().parallelFor(n, 1 << 15, (i0, i1) -> VectorMath.binary(op, i1 - i0,
                    a.data(), a.offset() + i0 * as, as, b.data(), b.offset() + i0 * bs, bs, c, i0));
            return Tensor.of(c, out.toArray());
        }
        int r = out.rank();
        int[] sa = broadcastStrides(a, out);
        int[] sb = broadcastStrides(b, out);
        int cols = out.dim(r - 1);
        int rows = n / cols;
        int[] lead = new int[r - 1];
        int[][] leadStrides = new int[2][r - 1];
        for (int d = 0; d < r - 1; d++) {
            lead[d] = out.dim(d);
            leadStrides[0][d] = sa[d];
            leadStrides[1][d] = sb[d];
        }
        int ca = sa[r - 1];
        int cb = sb[r - 1];
        ComputePool.shared().parallelFor(rows, Math.max(1, (1 << 15) / cols), (r0, r1) -> {
            RowCursor cur = new RowCursor(lead, leadStrides, new int[] {a.offset(), b.offset()});
            cur.seek(r0);
            for (int row = r0; row < r1; row++, cur.next()) {
                VectorMath.binary(op, cols, a.data(), cur.offset(0), ca, b.data(), cur.offset(1), cb, c, row * cols);
            }
        });
        return Tensor.of(c, out.toArray());
    }

    /** Strides of {@code x} seen in the broadcast shape {@code out}: 0 where x is broadcast. */
    static int[] broadcastStrides(Tensor x, Shape out) {
        int r = out.rank();
        int[] s = new int[r];
        int lead = r - x.rank();
        for (int i = lead; i < r; i++) {
            s[i] = x.dim(i - lead) == 1 ? 0 : x.stride(i - lead);
        }
        return s;
    }
}
