package dev.hearth.engine.ops;

import static dev.hearth.engine.autograd.GradCheck.check;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every operation's gradient against central finite differences, including broadcasting and views. */
class OpsGradientTest {

    private static Tensor rand(long seed, int... shape) {
        return Tensor.uniform(new Rng(seed), -1f, 1f, shape);
    }

    /** Values in ±[lo, hi], never near zero, for functions with a kink or pole at 0. */
    private static Tensor awayFromZero(long seed, float lo, float hi, int... shape) {
        Rng r = new Rng(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            float v = lo + (hi - lo) * r.nextFloat();
            d[i] = r.nextFloat() < 0.5f ? -v : v;
        }
        return t;
    }

    @Test
    void broadcastingArithmetic() {
        check("add (3,1,4)+(2,4)", x -> x[0].add(x[1]), rand(1, 3, 1, 4), rand(2, 2, 4));
        check("sub (2,3)-(3)", x -> x[0].sub(x[1]), rand(3, 2, 3), rand(4, 3));
        check("mul (4,1)*(1,5)", x -> x[0].mul(x[1]), rand(5, 4, 1), rand(6, 1, 5));
        check("div (2,3)/(2,1)", x -> x[0].div(x[1]), rand(7, 2, 3), awayFromZero(8, 0.5f, 2f, 2, 1));
        check("mul by scalar tensor", x -> x[0].mul(x[1]), rand(9, 3, 4), rand(10));
        check("add transposed view", x -> x[0].transpose(0, 1).add(x[1]), rand(11, 4, 3), rand(12, 3, 4));
        check("scale", x -> x[0].scale(-2.5f), rand(13, 5));
        check("add scalar", x -> x[0].add(3f), rand(14, 5));
        check("pow 3", x -> x[0].pow(3f), rand(15, 6));
        check("pow -0.5", x -> x[0].pow(-0.5f), awayFromZero(16, 0.5f, 2f, 6).pow(2f).detach());
    }

    @Test
    void pointwise() {
        check("exp", x -> x[0].exp(), rand(20, 3, 4));
        check("log", x -> x[0].log(), awayFromZero(21, 0.5f, 3f, 3, 4).pow(2f).detach());
        check("sqrt", x -> x[0].sqrt(), awayFromZero(22, 0.5f, 3f, 3, 4).pow(2f).detach());
        check("relu", x -> x[0].relu(), awayFromZero(23, 0.05f, 1f, 3, 4));
        check("gelu (erf)", x -> x[0].gelu(), rand(24, 40).scale(3f).detach());
        check("gelu (tanh)", x -> x[0].geluTanh(), rand(25, 40).scale(3f).detach());
        check("silu", x -> x[0].silu(), rand(26, 40).scale(3f).detach());
        check("tanh", x -> x[0].tanh(), rand(27, 40).scale(2f).detach());
        check("sigmoid", x -> x[0].sigmoid(), rand(28, 40).scale(3f).detach());
        check("pointwise on a non-contiguous view", x -> x[0].transpose(0, 1).gelu(), rand(29, 5, 7));
    }

    @Test
    void softmaxFamily() {
        check("softmax last", x -> x[0].softmax(-1), rand(30, 3, 7));
        check("softmax dim 0", x -> x[0].softmax(0), rand(31, 4, 3));
        check("log_softmax", x -> x[0].logSoftmax(-1), rand(32, 2, 3, 5));
        check("log_softmax dim 1", x -> x[0].logSoftmax(1), rand(33, 2, 3, 5));
    }

    @Test
    void reductions() {
        check("sum all", x -> x[0].sum(), rand(40, 3, 4));
        check("sum dim 1 keep", x -> x[0].sum(1, true), rand(41, 2, 3, 4));
        check("sum dims 0,2", x -> x[0].sum(new int[] {0, 2}, false), rand(42, 2, 3, 4));
        check("sum trailing dims", x -> x[0].sum(new int[] {1, 2}, false), rand(43, 2, 3, 4));
        check("mean dim -1", x -> x[0].mean(-1, false), rand(44, 3, 5));
        check("mean of a transposed view", x -> x[0].transpose(0, 1).mean(0, false), rand(45, 3, 5));
        check("max dim 1", x -> x[0].max(1, false), distinct(46, 3, 5));
        check("max dim 0 keep", x -> x[0].max(0, true), distinct(47, 4, 3));
        check("max all", x -> x[0].max(), distinct(48, 2, 3, 4));
    }

    /** A permutation of well-separated values, so max has no near ties. */
    private static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.numel();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        new Rng(seed).shuffle(perm);
        for (int i = 0; i < n; i++) {
            t.data()[i] = perm[i] * 0.1f - n * 0.05f;
        }
        return t;
    }

    @Test
    void matrixProducts() {
        check("matmul 2d", x -> x[0].matmul(x[1]), rand(50, 3, 4), rand(51, 4, 5));
        check("matmul batched broadcast", x -> x[0].matmul(x[1]), rand(52, 2, 1, 3, 4), rand(53, 3, 4, 2));
        check("matmul batched x matrix", x -> x[0].matmul(x[1]), rand(54, 2, 3, 4), rand(55, 4, 5));
        check("matmul a^T b^T", x -> x[0].mT().matmul(x[1].mT()), rand(56, 4, 3), rand(57, 5, 4));
        check("matmul vector", x -> x[0].matmul(x[1]), rand(58, 4), rand(59, 4, 3));
        check("matmul matrix vector", x -> x[0].matmul(x[1]), rand(60, 3, 4), rand(61, 4));
        check("matmul permuted batch", x -> x[0].permute(1, 0, 2).matmul(x[1]), rand(62, 3, 2, 4), rand(63, 2, 4, 3));
        check("linear with bias", x -> MatMul.linear(x[0], x[1], x[2]), rand(64, 2, 3, 4), rand(65, 5, 4), rand(66, 5));
        check("linear no bias, transposed input", x -> MatMul.linear(x[0].transpose(0, 1), x[1], null),
                rand(67, 4, 3), rand(68, 2, 4));
    }

    @Test
    void lossesAndLookups() {
        int[] targets = {2, 0, 4, 1};
        check("cross entropy", x -> Losses.crossEntropy(x[0], targets), rand(70, 4, 5));
        check("cross entropy ignore", x -> Losses.crossEntropy(x[0], new int[] {2, -100, 4, -100}, -100, 0f),
                rand(71, 4, 5));
        check("cross entropy smoothing", x -> Losses.crossEntropy(x[0], targets, -100, 0.1f), rand(72, 4, 5));
        check("cross entropy 3-d logits", x -> Losses.crossEntropy(x[0], targets), rand(73, 2, 2, 5));
        check("mse", x -> Losses.mse(x[0], x[1]), rand(74, 3, 4), rand(75, 3, 4));
        check("embedding (repeated ids)", x -> Embedding.lookup(x[0], new int[] {1, 3, 1, 0}, 2, 2), rand(76, 5, 3));
    }

    @Test
    void normalisation() {
        check("layer norm", x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5f), rand(80, 2, 3, 6),
                rand(81, 6), rand(82, 6));
        check("layer norm no affine", x -> Normalization.layerNorm(x[0], null, null, 1e-5f), rand(83, 4, 5));
        check("rms norm", x -> Normalization.rmsNorm(x[0], x[1], 1e-6f), rand(84, 2, 3, 6), rand(85, 6));
        check("layer norm of a view", x -> Normalization.layerNorm(x[0].transpose(0, 1), x[1], null, 1e-5f),
                rand(86, 6, 3), rand(87, 6));
    }

    @Test
    void shapes() {
        check("reshape", x -> x[0].reshape(4, -1).mul(x[1]), rand(90, 2, 6), rand(91, 4, 3));
        check("permute", x -> x[0].permute(2, 0, 1).contiguous(), rand(92, 2, 3, 4));
        check("narrow", x -> x[0].narrow(1, 1, 2), rand(93, 3, 4));
        check("select", x -> x[0].select(0, 2), rand(94, 3, 4));
        check("unsqueeze/squeeze", x -> x[0].unsqueeze(1).squeeze(1).unsqueeze(0), rand(95, 3, 4));
        check("expand", x -> x[0].expand(3, 2, 4).mul(x[1]), rand(96, 2, 1), rand(97, 3, 2, 4));
        check("flatten", x -> x[0].flatten(1, 2), rand(98, 2, 3, 4));
        check("reshape of a transposed view (copy)", x -> x[0].transpose(0, 1).reshape(-1), rand(99, 3, 4));
        check("concat", x -> Views.concat(List.of(x[0], x[1]), 1), rand(100, 2, 3), rand(101, 2, 2));
        check("stack", x -> Views.stack(List.of(x[0], x[1], x[0]), 0), rand(102, 2, 3), rand(103, 2, 3));
        check("split", x -> Views.split(x[0], 0, 1, 3).get(1).mul(x[1]), rand(104, 4, 2), rand(105, 3, 2));
    }

    @Test
    void dropoutGradientIsTheMask() {
        check("dropout", x -> Dropout.apply(x[0], 0.3f, 42L), rand(110, 50));
    }

    @Test
    void attention() {
        float s = 0.5f;
        check("causal MHA", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true, s),
                rand(120, 2, 5, 2, 4), rand(121, 2, 5, 2, 4), rand(122, 2, 5, 2, 4));
        check("causal GQA (4 heads, 2 kv heads)", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true, s),
                rand(123, 1, 4, 4, 3), rand(124, 1, 4, 2, 3), rand(125, 1, 4, 2, 3));
        check("non-causal", x -> Attention.scaledDotProduct(x[0], x[1], x[2], false, s),
                rand(126, 2, 3, 1, 4), rand(127, 2, 5, 1, 4), rand(128, 2, 5, 1, 4));
        check("causal with cached prefix (Tq 2, Tk 5)", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true, s),
                rand(129, 1, 2, 2, 4), rand(130, 1, 5, 2, 4), rand(131, 1, 5, 2, 4));
        check("causal with left padding", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true, s, new int[] {0, 2}),
                rand(137, 2, 4, 2, 3), rand(138, 2, 4, 2, 3), rand(139, 2, 4, 2, 3));
        check("rope", x -> Attention.rope(x[0], new int[] {0, 1, 2, 7}, 10000f), rand(132, 2, 4, 3, 6));
        check("rope per-token positions", x -> Attention.rope(x[0], new int[] {3, 4, 9, 0}, 500f), rand(133, 2, 2, 1, 4));
    }

    @Test
    void attentionLongerThanOneBlock() {
        // 70 query rows cross the 64-row block boundary of the kernel.
        check("causal, T=70", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true, 0.4f), 60,
                rand(134, 1, 70, 1, 2), rand(135, 1, 70, 1, 2), rand(136, 1, 70, 1, 2));
    }

    @Test
    void convolutionAndPooling() {
        check("conv2d", x -> Convolution.conv2d(x[0], x[1], x[2], 1, 0), rand(140, 2, 2, 5, 5), rand(141, 3, 2, 3, 3),
                rand(142, 3));
        check("conv2d stride 2 pad 1", x -> Convolution.conv2d(x[0], x[1], null, 2, 1), rand(143, 1, 3, 6, 5),
                rand(144, 2, 3, 3, 3));
        check("max pool 2", x -> Convolution.maxPool2d(x[0], 2, 2, 0), distinct(145, 2, 2, 4, 4));
        check("max pool 3 stride 2 pad 1", x -> Convolution.maxPool2d(x[0], 3, 2, 1), distinct(146, 1, 2, 5, 5));
        check("max pool overlapping windows", x -> Convolution.maxPool2d(x[0], 2, 1, 0), distinct(147, 1, 1, 4, 4));
    }

    @Test
    void lstmCell() {
        check("lstm cell h'", x -> Recurrent.lstmCell(x[0], x[1], x[2], x[3], x[4], x[5], x[6])[0],
                rand(150, 2, 3), rand(151, 2, 4), rand(152, 2, 4), rand(153, 16, 3), rand(154, 16, 4),
                rand(155, 16), rand(156, 16));
        check("lstm cell c'", x -> Recurrent.lstmCell(x[0], x[1], x[2], x[3], x[4], null, null)[1],
                rand(157, 2, 3), rand(158, 2, 4), rand(159, 2, 4), rand(160, 16, 3), rand(161, 16, 4));
    }
}
