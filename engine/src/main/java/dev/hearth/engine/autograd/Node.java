package dev.hearth.engine.autograd;

import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * One recorded operation on the tape: the tensors it read, its other arguments (stride, padding,
 * indices: what a reader of the tape needs to redo the operation, such as per-example gradient
 * clipping) and how to turn the gradient of its output into gradients of those inputs.
 */
public final class Node {

    /** Gradient rule of an operation: one entry per input, null where that input needs none. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private final Map<String, Object> attributes;
    private Tensor[] inputs;
    private Backward backward;

    Node(String op, Tensor[] inputs, Map<String, Object> attributes, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.attributes = attributes;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    /** The operation's non-tensor arguments by name (empty for most); arrays in it must not be modified. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    public Tensor[] inputs() {
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null) {
            throw new AutogradException("backward through '" + op + "' a second time: its saved tensors were freed"
                    + " after the first backward; pass retainGraph=true to the first call if you need two");
        }
        return backward.apply(gradOutput);
    }

    /** Drops the saved tensors and the links to the inputs, so a finished graph can be collected. */
    void release() {
        backward = null;
        inputs = new Tensor[0];
    }
}
