package dev.hearth.engine.nn;

import dev.hearth.engine.quant.QuantizedMatrix;

/**
 * Weights handed to a model while it is built, so that its layers take them instead of allocating
 * and initialising float weights of their own: how a quantized model folder is loaded without ever
 * holding its matrices in float32. A layer asks for its weight by its parameter name, relative to
 * the module that builds it ({@code "q_proj.weight"} below {@code "layers.0.attn."}), and the shape
 * it would have (rows = out, cols = in). The source answers with the quantized matrix, or null when
 * the layer should build its float weight as usual; it may refuse a matrix that does not fit with a
 * clear error. Which names were asked for is the source's business (a loader checks afterwards
 * that every matrix it holds was taken).
 */
@FunctionalInterface
public interface SuppliedWeights {

    /** Nothing supplied: every layer initialises its own weights. */
    SuppliedWeights NONE = (name, rows, cols) -> null;

    /** The quantized weight for parameter {@code name} of shape (rows, cols), or null to build it as usual. */
    QuantizedMatrix quantized(String name, int rows, int cols);

    /** The same source as seen from the child module {@code child} ("layers", then "0"): names gain its prefix. */
    default SuppliedWeights below(String child) {
        if (this == NONE) {
            return NONE;
        }
        SuppliedWeights parent = this;
        return (name, rows, cols) -> parent.quantized(child + "." + name, rows, cols);
    }
}
