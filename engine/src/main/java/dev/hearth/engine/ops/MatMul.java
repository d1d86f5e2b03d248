package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.Gemm;
import dev.hearth.engine.kernels.QuantizedMatMul;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.RowCursor;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * Matrix products on top of {@link Gemm}: batched {@code matmul} with numpy broadcasting of the
 * batch dimensions (either side may be a transposed view, which costs no copy), and the fused
 * {@code linear} layer product {@code x W^T + b}.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * {@code a (..., m, k) @ b (..., k, n) -> (..., m, n)}; a 1-D {@code a} is a row vector and a
     * 1-D {@code b} a column vector, their added dimension removed from the result as in numpy.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw ShapeException.of("matmul", a.shape(), b.shape(), "both operands need at least one dimension");
        }
        if (a.rank() == 1) {
            return matmul(a.unsqueeze(0), b).squeeze(-2);
        }
        if (b.rank() == 1) {
            return matmul(a, b.unsqueeze(1)).squeeze(-1);
        }
        if (a.dim(-1) != b.dim(-2)) {
            throw ShapeException.of("matmul", a.shape(), b.shape(), "the inner dimensions differ (" + a.dim(-1)
                    + " vs " + b.dim(-2) + ")");
        }
        Tensor y = product(a, b);
        return Autograd.record(y, "matmul", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(product(g, b.mT()), a.shape()) : null,
            b.requiresGrad() ? weightGrad(a, g, b.shape()) : null});
    }

    /** {@code a^T @ g} summed to b's shape, as one product when b had no batch dimensions. */
    private static Tensor weightGrad(Tensor a, Tensor g, Shape bShape) {
        if (bShape.rank() == 2 && a.rank() > 2 && foldable(a)) {
            int k = a.dim(-1);
            int n = g.dim(-1);
            int rows = a.numel() / k;
            Tensor gc = g.contiguous();
            float[] out = new float[k * n];
            Gemm.sgemm(k, n, rows, 1f, a.data(), a.offset(), a.stride(-1), a.stride(-2),
                    gc.data(), gc.offset(), n, 1, 0f, out, 0, n);
            return Tensor.of(out, k, n);
        }
        return Reductions.sumTo(product(a.mT(), g), bShape);
    }

    /** True when a's batch dimensions and rows can be seen as one long matrix of rows. */
    private static boolean foldable(Tensor a) {
        for (int i = 0; i < a.rank() - 2; i++) {
            if (a.dim(i) != 1 && a.stride(i) != a.stride(i + 1) * a.dim(i + 1)) {
                return false;
            }
        }
        return true;
    }

    /** The product without recording, for rank >= 2 operands with matching inner dimensions. */
    private static Tensor product(Tensor a, Tensor b) {
        int m = a.dim(-2);
        int k = a.dim(-1);
        int n = b.dim(-1);
        Shape batchA = Shape.of(a.shape().toArray()).without(-1).without(-1);
        Shape batchB = Shape.of(b.shape().toArray()).without(-1).without(-1);
        Shape batch = Shape.broadcast("matmul", batchA, batchB);
        int[] outDims = new int[batch.rank() + 2];
        for (int i = 0; i < batch.rank(); i++) {
            outDims[i] = batch.dim(i);
        }
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        float[] c = new float[batch.numel() * m * n];
        Tensor out = Tensor.of(c, outDims);
        if (c.length == 0) {
            return out;
        }
        if (batchB.rank() == 0 && foldable(a)) {
            int rows = a.numel() / Math.max(k, 1);
            if (k == 0) {
                rows = batch.numel() * m;
            }
            Gemm.sgemm(rows, n, k, 1f, a.data(), a.offset(), a.stride(-2), a.stride(-1),
                    b.data(), b.offset(), b.stride(-2), b.stride(-1), 0f, c, 0, n);
            return out;
        }
        int nb = batch.numel();
        int[] sa = batchStrides(a, batch);
        int[] sb = batchStrides(b, batch);
        int[] dims = batch.toArray();
        int aRs = a.stride(-2);
        int aCs = a.stride(-1);
        int bRs = b.stride(-2);
        int bCs = b.stride(-1);
        long work = (long) m * n * k;
        int grain = work >= 128L * 128 * 128 ? nb : 1; // big products parallelise inside the GEMM instead
        ComputePool.shared().parallelFor(nb, grain, (i0, i1) -> {
            RowCursor cur = new RowCursor(dims, new int[][] {sa, sb}, new int[] {a.offset(), b.offset()});
            cur.seek(i0);
            for (int i = i0; i < i1; i++, cur.next()) {
                Gemm.sgemm(m, n, k, 1f, a.data(), cur.offset(0), aRs, aCs, b.data(), cur.offset(1), bRs, bCs,
                        0f, c, i * m * n, n);
            }
        });
        return out;
    }

    /** Strides of x's batch dimensions within the broadcast batch shape (0 where broadcast). */
    private static int[] batchStrides(Tensor x, Shape batch) {
        int r = batch.rank();
        int xb = x.rank() - 2;
        int[] s = new int[r];
        for (int i = r - xb; i < r; i++) {
            int xi = i - (r - xb);
            s[i] = x.dim(xi) == 1 ? 0 : x.stride(xi);
        }
        return s;
    }

    /**
     * The fully connected layer {@code y = x W^T + b}: x (..., in), weight (out, in) as in
     * PyTorch's Linear, bias (out) or null; y (..., out).
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() < 1 || x.dim(-1) != weight.dim(1)) {
            throw ShapeException.of("linear", x.shape(), weight.shape(), "input (..., in) needs weight (out, in)");
        }
        int in = weight.dim(1);
        int outF = weight.dim(0);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outF)) {
            throw ShapeException.of("linear bias", weight.shape(), bias.shape(), "bias must be (out,) = (" + outF + ",)");
        }
        Tensor xc = x.contiguous();
        int rows = x.numel() / Math.max(in, 1);
        if (in == 0) {
            rows = x.shape().product(0, x.rank() - 1);
        }
        float[] y = new float[rows * outF];
        linearRows(rows, xc.data(), xc.offset(), weight, bias, y, 0);
        int[] outDims = x.shape().toArray();
        outDims[outDims.length - 1] = outF;
        Tensor out = Tensor.of(y, outDims);
        int nRows = rows;
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return Autograd.record(out, "linear", inputs, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = null;
            if (x.requiresGrad()) {
                // dx (rows, in) = g (rows, out) @ W (out, in)
                float[] d = new float[nRows * in];
                Gemm.sgemm(nRows, in, outF, 1f, gc.data(), gc.offset(), outF, 1,
                        weight.data(), weight.offset(), weight.stride(0), weight.stride(1), 0f, d, 0, in);
                dx = Tensor.of(d, x.shape().toArray());
            }
            Tensor dw = null;
            if (weight.requiresGrad()) {
                // dW (out, in) = g^T (out, rows) @ x (rows, in)
                float[] d = new float[outF * in];
                Gemm.sgemm(outF, in, nRows, 1f, gc.data(), gc.offset(), 1, outF,
                        xc.data(), xc.offset(), in, 1, 0f, d, 0, in);
                dw = Tensor.of(d, outF, in);
            }
            Tensor db = null;
            if (bias != null && bias.requiresGrad()) {
                db = gc.reshape(nRows, outF).sum(0, false);
            }
            return bias == null ? new Tensor[] {dx, dw} : new Tensor[] {dx, dw, db};
        });
    }

    /**
     * {@link #linear}'s forward product on raw rows, without a tensor or a gradient: x's rows
     * (rows, in) from {@code xo}, y's (rows, out) written from {@code yo}. The shapes are the
     * caller's to check. A frozen weight's few rows go through its kept panels, as a decode step's do.
     */
    public static void linearRows(int rows, float[] x, int xo, Tensor weight, Tensor bias, float[] y, int yo) {
        int in = weight.dim(1);
        int outF = weight.dim(0);
        float beta = 0f;
        if (bias != null) {
            Tensor bc = bias.contiguous();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bc.data(), bc.offset(), y, yo + r * outF, outF);
            }
            beta = 1f;
        }
        boolean keptPanels = weight.frozen() && (long) outF * in <= Gemm.SMALL_ROWS_MAX_WEIGHT
                && !Autograd.isEnabled();
        if (keptPanels && rows <= Gemm.SMALL_ROWS) {
            // a served model's few rows (decode steps, short prompts): the kept panels of W^T
            Gemm.smallRows(rows, outF, in, x, xo, in, weight.panelsForInference(), beta, y, yo, outF);
        } else if (keptPanels) {
            // a served model's longer prompt: the same product, B packed from the kept panels by copying
            // whole runs (from W its values are gathered one float at a time; they, and so the results,
            // are the same)
            Gemm.sgemmPanels(rows, outF, in, x, xo, in, weight.panelsForInference(), beta, y, yo, outF);
        } else {
            // y (rows, out) = x (rows, in) @ W^T: B(p, j) = W(j, p).
            Gemm.sgemm(rows, outF, in, 1f, x, xo, in, 1, weight.data(), weight.offset(), weight.stride(1),
                    weight.stride(0), beta, y, yo, outF);
        }
    }

    /**
     * {@code y = x W^T + b} with a quantized weight: x (..., in), weight (out, in) quantized, bias
     * (out) or null; y (..., out). The weight is read packed ({@link QuantizedMatMul}). Inference
     * only: while gradients are being recorded for x or the bias this is an error, since no gradient
     * can reach a quantized weight.
     */
    public static Tensor linear(Tensor x, QuantizedMatrix weight, Tensor bias) {
        int in = weight.cols();
        int outF = weight.rows();
        if (x.rank() < 1 || x.dim(-1) != in) {
            throw new ShapeException("linear: input of shape " + x.shape() + " needs a last dimension of " + in
                    + " for the quantized weight (" + outF + ", " + in + ")");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outF)) {
            throw ShapeException.of("linear bias", x.shape(), bias.shape(), "bias must be (out,) = (" + outF + ",)");
        }
        if (Autograd.isEnabled() && (x.requiresGrad() || (bias != null && bias.requiresGrad()))) {
            throw new QuantizationException("gradients cannot flow through a quantized (" + weight.format().id()
                    + ") weight: run the model under Autograd.noGrad() for inference (generation and perplexity do),"
                    + " or train the float32 model and quantize it afterwards");
        }
        Tensor xc = x.contiguous();
        int rows = x.numel() / in;
        float[] y = new float[rows * outF];
        linearRows(rows, xc.data(), xc.offset(), weight, bias, y, 0);
        int[] outDims = x.shape().toArray();
        outDims[outDims.length - 1] = outF;
        return Tensor.of(y, outDims);
    }

    /**
     * The quantized {@link #linear}'s product on raw rows, as
     * {@link #linearRows(int, float[], int, Tensor, Tensor, float[], int)}.
     */
    public static void linearRows(int rows, float[] x, int xo, QuantizedMatrix weight, Tensor bias, float[] y, int yo) {
        int outF = weight.rows();
        if (rows > 0) {
            QuantizedMatMul.linear(weight, x, xo, rows, y, yo);
        }
        if (bias != null) {
            Tensor bc = bias.contiguous();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < outF; j++) {
                    y[yo + r * outF + j] += bc.data()[bc.offset() + j];
                }
            }
        }
    }
}
