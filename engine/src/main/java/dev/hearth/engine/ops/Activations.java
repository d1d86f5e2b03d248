package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Tensor;

/** Pointwise functions: exp, log, sqrt and the activations, each with its derivative. */
public final class Activations {
    private Activations() {}

    /** A vector loop over {@code n} elements: {@code y[yo..] = f(x[xo..])}. */
    @FunctionalInterface
    interface Kernel {
        void run(int n, float[] x, int xo, float[] y, int yo);
    }

    /** A gradient loop: {@code dx = f'(saved) * dy} over {@code n} elements. */
    @FunctionalInterface
    interface GradKernel {
        void run(int n, float[] saved, int so, float[] dy, int dyo, float[] dx, int dxo);
    }

    private static final int GRAIN = 1 << 14;

    /** Applies {@code f} to a row-major copy of x, split over the compute pool. */
    static Tensor map(Tensor x, Kernel f) {
        Tensor c = x.contiguous();
        float[] out = new float[x.numel()];
        ComputePool.shared().parallelFor(out.length, GRAIN, (i0, i1) ->
                f.run(i1 - i0, c.data(), c.offset() + i0, out, i0));
        return Tensor.of(out, x.shape().toArray());
    }

    /** {@code f'(saved) * g} as a new tensor shaped like {@code saved}. */
    static Tensor grad(Tensor saved, Tensor g, GradKernel f) {
        Tensor s = saved.contiguous();
        Tensor gc = g.contiguous();
        float[] out = new float[saved.numel()];
        ComputePool.shared().parallelFor(out.length, GRAIN, (i0, i1) ->
                f.run(i1 - i0, s.data(), s.offset() + i0, gc.data(), gc.offset() + i0, out, i0));
        return Tensor.of(out, saved.shape().toArray());
    }

    public static Tensor exp(Tensor x) {
        Tensor y = map(x, VectorMath::exp);
        return Autograd.record(y, "exp", new Tensor[] {x}, g -> new Tensor[] {g.mul(y)});
    }

    public static Tensor log(Tensor x) {
        Tensor y = map(x, VectorMath::log);
        return Autograd.record(y, "log", new Tensor[] {x}, g -> new Tensor[] {g.div(x)});
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = map(x, VectorMath::sqrt);
        return Autograd.record(y, "sqrt", new Tensor[] {x}, g -> new Tensor[] {g.div(y).scale(0.5f)});
    }

    public static Tensor relu(Tensor x) {
        Tensor y = map(x, VectorMath::relu);
        return Autograd.record(y, "relu", new Tensor[] {x}, g -> new Tensor[] {grad(x, g, VectorMath::reluBackward)});
    }

    public static Tensor gelu(Tensor x) {
        Tensor y = map(x, VectorMath::gelu);
        return Autograd.record(y, "gelu", new Tensor[] {x}, g -> new Tensor[] {grad(x, g, VectorMath::geluBackward)});
    }

    public static Tensor geluTanh(Tensor x) {
        Tensor y = map(x, VectorMath::geluTanh);
        return Autograd.record(y, "gelu_tanh", new Tensor[] {x},
                g -> new Tensor[] {grad(x, g, VectorMath::geluTanhBackward)});
    }

    public static Tensor silu(Tensor x) {
        Tensor y = map(x, VectorMath::silu);
        return Autograd.record(y, "silu", new Tensor[] {x}, g -> new Tensor[] {grad(x, g, VectorMath::siluBackward)});
    }

    public static Tensor tanh(Tensor x) {
        Tensor y = map(x, VectorMath::tanh);
        return Autograd.record(y, "tanh", new Tensor[] {x}, g -> new Tensor[] {grad(y, g, VectorMath::tanhBackward)});
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor y = map(x, VectorMath::sigmoid);
        return Autograd.record(y, "sigmoid", new Tensor[] {x},
                g -> new Tensor[] {grad(y, g, VectorMath::sigmoidBackward)});
    }
}
