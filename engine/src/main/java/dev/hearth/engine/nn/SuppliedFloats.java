package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.function.Supplier;

/** How a layer takes a float parameter from a {@link SuppliedWeights} source, or builds it as usual. */
final class SuppliedFloats {
    private SuppliedFloats() {}

    /**
     * The tensor {@code supplied} holds for parameter {@code name} of {@code shape}, checked to have
     * that shape, or {@code otherwise} (the usual initialisation, which runs only then, so a model
     * built with nothing supplied draws exactly the random numbers it always did).
     */
    static Tensor take(SuppliedWeights supplied, String name, Supplier<Tensor> otherwise, int... shape) {
        Tensor t = supplied.floatTensor(name, shape);
        if (t == null) {
            return otherwise.get();
        }
        if (!t.shape().equals(Shape.of(shape))) {
            throw new ShapeException("the supplied weight '" + name + "' has shape " + t.shape() + " but the layer's"
                    + " parameter has shape " + Shape.of(shape));
        }
        return t;
    }
}
