package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Convolution;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * 2-D convolution over NCHW images with square kernels, the same stride and zero padding in both
 * directions. Initialised as PyTorch does: weight and bias uniform in ±1/sqrt(in * k * k).
 */
public final class Conv2d extends Layer {
    private final Tensor weight; // (out, in, k, k)
    private final Tensor bias;   // (out) or null
    private final int stride;
    private final int padding;

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        int fanIn = in * kernel * kernel;
        this.weight = param("weight", Init.fanInUniform(rng, fanIn, out, in, kernel, kernel));
        this.bias = bias ? param("bias", Init.fanInUniform(rng, fanIn, out)) : null;
        this.stride = stride;
        this.padding = padding;
    }

    public Conv2d(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, 1, 0, true, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d(x, weight, bias, stride, padding);
    }

    public Tensor weight() {
        return weight;
    }
}
