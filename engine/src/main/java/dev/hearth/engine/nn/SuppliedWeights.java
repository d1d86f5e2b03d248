package dev.hearth.engine.nn;

import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;

/**
 * Weights handed to a model while it is built, so that its layers take them instead of allocating
 * and initialising weights of their own: how a model folder is loaded without ever holding a second
 * copy of its weights. A layer asks for each parameter by its name, relative to the module that
 * builds it ({@code "q_proj.weight"} below {@code "layers.0.attn."}), and the shape it would have
 * (a weight (out, in), a norm's scale or a bias (dim)). The source answers a matrix with its
 * quantized form ({@link #quantized}), any parameter with its float values ({@link #floatTensor}),
 * or null when the layer should build that parameter as usual; it may refuse a weight that does not
 * fit with a clear error. Which names were asked for is the source's business (a loader checks
 * afterwards that every tensor it holds was taken, and every parameter it did not supply was loaded).
 */
@FunctionalInterface
public interface SuppliedWeights {

    /** Nothing supplied: every layer initialises its own weights. */
    SuppliedWeights NONE = (name, rows, cols) -> null;

    /** The quantized weight for parameter {@code name} of shape (rows, cols), or null to build it as usual. */
    QuantizedMatrix quantized(String name, int rows, int cols);

    /**
     * The float values of parameter {@code name} as a tensor of exactly {@code shape}, which the layer
     * registers as its parameter as it is (no copy, so it must be a tensor no one else holds), or null
     * to initialise the parameter as usual. Asked only when {@link #quantized} gave nothing for a
     * matrix. Nothing is supplied unless a source overrides this.
     */
    default Tensor floatTensor(String name, int... shape) {
        return null;
    }

    /** The same source as seen from the child module {@code child} ("layers", then "0"): names gain its prefix. */
    default SuppliedWeights below(String child) {
        if (this == NONE) {
            return NONE;
        }
        SuppliedWeights parent = this;
        return new SuppliedWeights() {
            @Override
            public QuantizedMatrix quantized(String name, int rows, int cols) {
                return parent.quantized(child + "." + name, rows, cols);
            }

            @Override
            public Tensor floatTensor(String name, int... shape) {
                return parent.floatTensor(child + "." + name, shape);
            }
        };
    }
}
