package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Tensor;

/** A pointwise nonlinearity as a layer, for {@link Sequential}. */
public final class Activation extends Layer {

    public enum Kind { RELU, GELU, GELU_TANH, SILU, TANH, SIGMOID }

    private final Kind kind;

    public Activation(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public Tensor forward(Tensor x) {
        return apply(kind, x);
    }

    public static Tensor apply(Kind kind, Tensor x) {
        return switch (kind) {
            case RELU -> x.relu();
            case GELU -> x.gelu();
            case GELU_TANH -> x.geluTanh();
            case SILU -> x.silu();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
        };
    }
}
