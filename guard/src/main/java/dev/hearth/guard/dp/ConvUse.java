package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.tensor.Tensor;

/**
 * {@code y (N, O, OH, OW) = conv2d(x (N, C, H, W), W (O, C, KH, KW)) + b (O)}. Unfolding example i's image into
 * its patch matrix U_i (L, P), with L = OH*OW output pixels and P = C*KH*KW patch values, turns the convolution
 * into a product, and example i's weight gradient is {@code G_i = D_i U_i} (O, P), where D_i (O, L) is its output
 * gradient as stored (NCHW). The bias gradient is D_i's row sums.
 *
 * <p>As for {@link LinearUse}, the squared norm comes from G_i (O*P*L multiply-adds) or from the Gram matrices
 * {@code U U^T} and {@code D^T D} (L^2 (O + P)), whichever is cheaper: the first layers of a conv net, with many
 * pixels and few channels, form G_i; the last, with few pixels, take the Gram route.
 */
final class ConvUse extends ParameterUse {

    private final Tensor x;
    private final Tensor weight; // (O, C, KH, KW)
    private final Tensor bias;   // (O) or null
    private final int stride;
    private final int pad;
    private final int channels;
    private final int height;
    private final int width;
    private final int outChannels;
    private final int kh;
    private final int kw;
    private final int oh;
    private final int ow;
    private final int pixels; // L
    private final int patch;  // P

    ConvUse(Node node, Tensor output) {
        super(node, output);
        Tensor[] inputs = node.inputs();
        this.x = inputs[0];
        this.weight = inputs[1];
        this.bias = inputs.length > 2 ? inputs[2] : null;
        this.stride = (Integer) node.attributes().get("stride");
        this.pad = (Integer) node.attributes().get("padding");
        this.channels = x.dim(1);
        this.height = x.dim(2);
        this.width = x.dim(3);
        this.outChannels = weight.dim(0);
        this.kh = weight.dim(2);
        this.kw = weight.dim(3);
        this.oh = output.dim(2);
        this.ow = output.dim(3);
        this.pixels = oh * ow;
        this.patch = channels * kh * kw;
    }

    @Override
    void bind(int examples) {
        if (x.dim(0) != examples || output.dim(0) != examples) {
            throw new DpException("DP-SGD expected " + examples + " images in the input of 'conv2d', got shape "
                    + x.shape());
        }
        bindInput(x);
        bindDelta(output);
    }

    @Override
    void addSquaredNorms(Tensor parameter, double[] sq) {
        int n = sq.length;
        if (parameter == bias) {
            ComputePool.shared().parallelFor(n, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    double s = 0;
                    for (int o = 0; o < outChannels; o++) {
                        double r = 0;
                        int base = dOff + (i * outChannels + o) * pixels;
                        for (int l = 0; l < pixels; l++) {
                            r += dd[base + l];
                        }
                        s += r * r;
                    }
                    sq[i] += s;
                }
            });
            return;
        }
        boolean ghost = (long) pixels * pixels * (outChannels + patch) < (long) outChannels * patch * pixels;
        ComputePool.shared().parallelFor(n, (i0, i1) -> {
            float[] col = new float[pixels * patch];
            float[] g = ghost ? null : new float[outChannels * patch];
            float[] gu = ghost ? new float[pixels * pixels] : null;
            float[] gd = ghost ? new float[pixels * pixels] : null;
            for (int i = i0; i < i1; i++) {
                unfold(i, col);
                if (ghost) {
                    // U U^T (L, L) and D^T D (L, L)
                    Gemm.sgemm(pixels, pixels, patch, 1f, col, 0, patch, 1, col, 0, 1, patch, 0f, gu, 0, pixels);
                    int d0 = dOff + i * outChannels * pixels;
                    Gemm.sgemm(pixels, pixels, outChannels, 1f, dd, d0, 1, pixels, dd, d0, pixels, 1, 0f, gd, 0,
                            pixels);
                    double s = 0;
                    for (int k = 0; k < gu.length; k++) {
                        s += (double) gu[k] * gd[k];
                    }
                    sq[i] += s;
                } else {
                    weightGradient(i, col, g, 0f);
                    sq[i] += sumOfSquares(g, 0, g.length);
                }
            }
        });
    }

    @Override
    void addGradient(Tensor parameter, int example, float[] gradient) {
        if (parameter == bias) {
            for (int o = 0; o < outChannels; o++) {
                int base = dOff + (example * outChannels + o) * pixels;
                float r = 0;
                for (int l = 0; l < pixels; l++) {
                    r += dd[base + l];
                }
                gradient[o] += r;
            }
        } else {
            float[] col = new float[pixels * patch];
            unfold(example, col);
            weightGradient(example, col, gradient, 1f);
        }
    }

    /** g (O, P) = beta g + D_i (O, L) U_i (L, P). */
    private void weightGradient(int i, float[] col, float[] g, float beta) {
        Gemm.sgemm(outChannels, patch, pixels, 1f, dd, dOff + i * outChannels * pixels, pixels, 1, col, 0, patch, 1,
                beta, g, 0, patch);
    }

    /** Patch matrix of image i: row (oy, ox), column (c, ky, kx) holds x[i, c, oy*s+ky-pad, ox*s+kx-pad] or 0. */
    private void unfold(int i, float[] col) {
        int img = xo + i * channels * height * width;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int row = (oy * ow + ox) * patch;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * stride + ky - pad;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox * stride + kx - pad;
                            boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
                            col[row + (c * kh + ky) * kw + kx] = inside ? xd[img + (c * height + iy) * width + ix] : 0f;
                        }
                    }
                }
            }
        }
    }
}
