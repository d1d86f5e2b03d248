package dev.hearth.engine.nn;

import dev.hearth.engine.ops.Convolution;
import dev.hearth.engine.tensor.Tensor;

/** Max over square windows of NCHW images; the stride defaults to the kernel size. */
public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.maxPool2d(x, kernel, stride, padding);
    }
}
