package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * 2-D convolution and max pooling over NCHW images.
 *
 * <p>Convolution is im2col + one GEMM for the whole batch: the patch matrix {@code col} has one
 * row per output pixel (N·OH·OW rows) and one column per (channel, kernel row, kernel column)
 * (C·KH·KW columns), so {@code out = col @ W^T} is a single large product that the GEMM splits
 * over threads. Each output row is built by one thread and the image gradient is gathered image
 * by image, so nothing depends on the thread count.
 */
public final class Convolution {
    private Convolution() {}

    /** Geometry of one convolution or pooling call. */
    record Geometry(int n, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow) {
        static Geometry of(String op, Tensor x, int kh, int kw, int stride, int pad) {
            if (x.rank() != 4) {
                throw ShapeException.of(op, x.shape(), "input must be (batch, channels, height, width)");
            }
            if (stride < 1 || pad < 0 || kh < 1 || kw < 1) {
                throw ShapeException.of(op, x.shape(), "kernel " + kh + "x" + kw + ", stride " + stride + " and padding "
                        + pad + " must be positive (padding may be 0)");
            }
            int h = x.dim(2);
            int w = x.dim(3);
            int oh = (h + 2 * pad - kh) / stride + 1;
            int ow = (w + 2 * pad - kw) / stride + 1;
            if (h + 2 * pad < kh || w + 2 * pad < kw) {
                throw ShapeException.of(op, x.shape(), "the " + kh + "x" + kw + " kernel is larger than the padded image");
            }
            return new Geometry(x.dim(0), x.dim(1), h, w, kh, kw, stride, pad, oh, ow);
        }

        int pixels() {
            return oh * ow;
        }

        int patch() {
            return c * kh * kw;
        }
    }

    /**
     * {@code y (N, O, OH, OW) = conv(x (N, C, H, W), weight (O, C, KH, KW)) + bias (O)}, with the
     * same stride and zero padding in both directions; {@code OH = (H + 2 pad - KH) / stride + 1}.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int pad) {
        if (weight.rank() != 4 || x.rank() != 4 || weight.dim(1) != x.dim(1)) {
            throw ShapeException.of("conv2d", x.shape(), weight.shape(),
                    "input (N, C, H, W) needs weight (out_channels, C, KH, KW)");
        }
        int o = weight.dim(0);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != o)) {
            throw ShapeException.of("conv2d bias", weight.shape(), bias.shape(), "bias must be (out_channels,)");
        }
        Geometry g = Geometry.of("conv2d", x, weight.dim(2), weight.dim(3), stride, pad);
        Tensor xc = x.contiguous();
        Tensor wc = weight.contiguous();
        int rows = g.n * g.pixels();
        int patch = g.patch();
        float[] col = im2col(xc, g);
        // out (rows, O) = col (rows, patch) @ W^T (patch, O)   [NHWC order]
        float[] nhwc = new float[rows * o];
        Gemm.sgemm(rows, o, patch, 1f, col, 0, patch, 1, wc.data(), wc.offset(), 1, patch, 0f, nhwc, 0, o);
        float[] b = bias == null ? null : bias.contiguous().toFloatArray();
        float[] y = new float[rows * o];
        // NHWC -> NCHW, adding the bias.
        ComputePool.shared().parallelFor(g.n * o, Math.max(1, 4096 / g.pixels()), (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                int img = k / o;
                int ch = k % o;
                float add = b == null ? 0f : b[ch];
                int src = img * g.pixels() * o + ch;
                int dst = k * g.pixels();
                for (int p = 0; p < g.pixels(); p++) {
                    y[dst + p] = nhwc[src + p * o] + add;
                }
            }
        });
        Tensor out = Tensor.of(y, g.n, o, g.oh, g.ow);
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return Autograd.record(out, "conv2d", inputs, Map.of("stride", stride, "padding", pad), grad -> {
            // dY to NHWC rows: dy (rows, O)
            Tensor gt = grad.permute(0, 2, 3, 1).contiguous();
            float[] dy = gt.data();
            int dyo = gt.offset();
            Tensor dw = null;
            if (weight.requiresGrad()) {
                // dW (O, patch) = dY^T (O, rows) @ col (rows, patch)
                float[] d = new float[o * patch];
                Gemm.sgemm(o, patch, rows, 1f, dy, dyo, 1, o, col, 0, patch, 1, 0f, d, 0, patch);
                dw = Tensor.of(d, weight.shape().toArray());
            }
            Tensor dx = null;
            if (x.requiresGrad()) {
                // dcol (rows, patch) = dY (rows, O) @ W (O, patch), then scattered back to the image.
                float[] dcol = new float[rows * patch];
                Gemm.sgemm(rows, patch, o, 1f, dy, dyo, o, 1, wc.data(), wc.offset(), patch, 1, 0f, dcol, 0, patch);
                dx = Tensor.of(col2im(dcol, g), x.shape().toArray());
            }
            Tensor db = null;
            if (bias != null && bias.requiresGrad()) {
                db = Tensor.of(biasGrad(grad.contiguous(), g.n, o, g.pixels()), o);
            }
            return bias == null ? new Tensor[] {dx, dw} : new Tensor[] {dx, dw, db};
        });
    }

    /** db[ch] = sum over images and pixels of dy (N, O, pixels), image by image in order. */
    private static float[] biasGrad(Tensor dy, int n, int o, int pixels) {
        float[] d = dy.data();
        int base = dy.offset();
        float[] db = new float[o];
        ComputePool.shared().parallelFor(o, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float s = 0;
                for (int img = 0; img < n; img++) {
                    s += VectorMath.sum(pixels, d, base + (img * o + ch) * pixels);
                }
                db[ch] = s;
            }
        });
        return db;
    }

    /** Patch matrix: row (img, oy, ox), column (ch, ky, kx) holds x[img, ch, oy*s+ky-pad, ox*s+kx-pad] or 0. */
    static float[] im2col(Tensor x, Geometry g) {
        float[] src = x.data();
        int base = x.offset();
        float[] col = new float[g.n * g.pixels() * g.patch()];
        ComputePool.shared().parallelFor(g.n * g.oh, Math.max(1, 8192 / (g.ow * g.patch())), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                im2colRow(src, base, g, r / g.oh, r % g.oh, col);
            }
        });
        return col;
    }

    /**
     * The patch rows of output row {@code oy} of image {@code img}. A method of its own (not a loop
     * inside the parallel lambda) so the JIT compiles it early and whole rather than on-stack.
     */
    private static void im2colRow(float[] src, int base, Geometry g, int img, int oy, float[] col) {
        int patch = g.patch();
        for (int ox = 0; ox < g.ow; ox++) {
            int dst = ((img * g.oh + oy) * g.ow + ox) * patch;
            int x0 = ox * g.stride - g.pad;
            int kx0 = Math.max(0, -x0);
            int kx1 = Math.min(g.kw, g.w - x0);
            for (int ch = 0; ch < g.c; ch++) {
                int plane = base + (img * g.c + ch) * g.h * g.w;
                for (int ky = 0; ky < g.kh; ky++) {
                    int iy = oy * g.stride + ky - g.pad;
                    if (iy < 0 || iy >= g.h) {
                        continue; // zeros already
                    }
                    int at = dst + (ch * g.kh + ky) * g.kw;
                    int from = plane + iy * g.w + x0;
                    if (kx0 == 0 && kx1 == 3) { // the common 3-wide window, unrolled
                        col[at] = src[from];
                        col[at + 1] = src[from + 1];
                        col[at + 2] = src[from + 2];
                        continue;
                    }
                    for (int kx = kx0; kx < kx1; kx++) {
                        col[at + kx] = src[from + kx];
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: adds every patch entry back into its image position. */
    static float[] col2im(float[] col, Geometry g) {
        float[] dx = new float[g.n * g.c * g.h * g.w];
        ComputePool.shared().parallelFor(g.n, (i0, i1) -> {
            for (int img = i0; img < i1; img++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    col2imRow(col, g, img, oy, dx);
                }
            }
        });
        return dx;
    }

    /** Adds the patch rows of output row {@code oy} of image {@code img} back into dx. */
    private static void col2imRow(float[] col, Geometry g, int img, int oy, float[] dx) {
        int patch = g.patch();
        for (int ox = 0; ox < g.ow; ox++) {
            int src = ((img * g.oh + oy) * g.ow + ox) * patch;
            int x0 = ox * g.stride - g.pad;
            int kx0 = Math.max(0, -x0);
            int kx1 = Math.min(g.kw, g.w - x0);
            for (int ch = 0; ch < g.c; ch++) {
                int plane = (img * g.c + ch) * g.h * g.w;
                for (int ky = 0; ky < g.kh; ky++) {
                    int iy = oy * g.stride + ky - g.pad;
                    if (iy < 0 || iy >= g.h) {
                        continue;
                    }
                    int at = src + (ch * g.kh + ky) * g.kw;
                    int to = plane + iy * g.w + x0;
                    if (kx0 == 0 && kx1 == 3) { // the common 3-wide window, unrolled
                        dx[to] += col[at];
                        dx[to + 1] += col[at + 1];
                        dx[to + 2] += col[at + 2];
                        continue;
                    }
                    for (int kx = kx0; kx < kx1; kx++) {
                        dx[to + kx] += col[at + kx];
                    }
                }
            }
        }
    }

    /** Window maxima of one (image, channel) plane at {@code src[plane..]} into y and arg from {@code k0}. */
    private static void maxPoolPlane(float[] src, int plane, Geometry g, float[] y, int[] arg, int k0) {
        if (g.kh == 2 && g.kw == 2 && g.stride == 2 && g.pad == 0) {
            maxPool2x2(src, plane, g, y, arg, k0);
            return;
        }
        for (int oy = 0; oy < g.oh; oy++) {
            int y0 = oy * g.stride - g.pad;
            int ky0 = Math.max(0, -y0);
            int ky1 = Math.min(g.kh, g.h - y0);
            for (int ox = 0; ox < g.ow; ox++) {
                int x0 = ox * g.stride - g.pad;
                int kx0 = Math.max(0, -x0);
                int kx1 = Math.min(g.kw, g.w - x0);
                int bestAt = (y0 + ky0) * g.w + x0 + kx0;
                float best = src[plane + bestAt];
                for (int ky = ky0; ky < ky1; ky++) {
                    int row = (y0 + ky) * g.w + x0;
                    for (int kx = kx0; kx < kx1; kx++) {
                        float v = src[plane + row + kx];
                        // NaN wins, so a NaN input is not hidden by the pooling
                        if (v > best || (v != v && best == best)) {
                            best = v;
                            bestAt = row + kx;
                        }
                    }
                }
                y[k0 + oy * g.ow + ox] = best;
                arg[k0 + oy * g.ow + ox] = bestAt;
            }
        }
    }

    /** The common 2x2, stride 2 pooling: the same first-maximum and NaN rule, without window bookkeeping. */
    private static void maxPool2x2(float[] src, int plane, Geometry g, float[] y, int[] arg, int k0) {
        for (int oy = 0; oy < g.oh; oy++) {
            int r0 = 2 * oy * g.w;
            int r1 = r0 + g.w;
            int out = k0 + oy * g.ow;
            for (int ox = 0; ox < g.ow; ox++) {
                int at = r0 + 2 * ox;
                float best = src[plane + at];
                int bestAt = at;
                float v = src[plane + at + 1];
                if (v > best || (v != v && best == best)) {
                    best = v;
                    bestAt = at + 1;
                }
                v = src[plane + r1 + 2 * ox];
                if (v > best || (v != v && best == best)) {
                    best = v;
                    bestAt = r1 + 2 * ox;
                }
                v = src[plane + r1 + 2 * ox + 1];
                if (v > best || (v != v && best == best)) {
                    best = v;
                    bestAt = r1 + 2 * ox + 1;
                }
                y[out + ox] = best;
                arg[out + ox] = bestAt;
            }
        }
    }

    /**
     * Max over {@code kernel x kernel} windows moved by {@code stride}, with {@code pad} cells of
     * -infinity around the image: x (N, C, H, W) to (N, C, OH, OW). The gradient goes to the first
     * maximum of each window.
     */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int pad) {
        if (pad * 2 > kernel) {
            throw ShapeException.of("max_pool2d", x.shape(), "padding " + pad + " must be at most half the kernel " + kernel);
        }
        Geometry g = Geometry.of("max_pool2d", x, kernel, kernel, stride, pad);
        Tensor xc = x.contiguous();
        float[] src = xc.data();
        int base = xc.offset();
        int planes = g.n * g.c;
        float[] y = new float[planes * g.pixels()];
        int[] arg = new int[y.length];
        ComputePool.shared().parallelFor(planes, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                maxPoolPlane(src, base + p * g.h * g.w, g, y, arg, p * g.pixels());
            }
        });
        Tensor out = Tensor.of(y, g.n, g.c, g.oh, g.ow);
        return Autograd.record(out, "max_pool2d", new Tensor[] {x}, grad -> {
            Tensor gc = grad.contiguous();
            float[] gd = gc.data();
            int go = gc.offset();
            float[] dx = new float[x.numel()];
            ComputePool.shared().parallelFor(planes, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    for (int k = p * g.pixels(); k < (p + 1) * g.pixels(); k++) {
                        dx[p * g.h * g.w + arg[k]] += gd[go + k];
                    }
                }
            });
            return new Tensor[] {Tensor.of(dx, x.shape().toArray())};
        });
    }
}
