package dev.hearth.engine.autograd;

import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Define-by-run reverse-mode differentiation. Every operation on a tensor that requires
 * gradients records a {@link Node}; {@link #backward} walks the recorded graph in reverse
 * topological order and accumulates gradients into the leaves ({@code tensor.grad()}), inputs and
 * parameters alike. Recording is per thread and can be switched off with {@link #noGrad()}.
 */
public final class Autograd {
    private Autograd() {}

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** A scope in which nothing is recorded: {@code try (var s = Autograd.noGrad()) { ... }}. */
    public static Scope noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** A scope that closes without throwing. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** True when operations on this thread are being recorded. */
    public static boolean isEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** True when an operation on these inputs must be recorded. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code output} was computed from {@code inputs} by {@code op}, when any input
     * requires gradients and recording is on. Returns {@code output}.
     */
    public static Tensor record(Tensor output, String op, Tensor[] inputs, Node.Backward backward) {
        return record(output, op, inputs, Map.of(), backward);
    }

    /** The same, keeping the operation's non-tensor arguments on the node ({@link Node#attributes()}). */
    public static Tensor record(Tensor output, String op, Tensor[] inputs, Map<String, Object> attributes,
            Node.Backward backward) {
        if (needsGrad(inputs)) {
            output.attachGradFn(new Node(op, inputs, Map.copyOf(attributes), backward));
        }
        return output;
    }

    /**
     * Back-propagates from {@code root} with the initial gradient {@code seed} (same shape as the
     * root), accumulating into the {@code grad} of every leaf that requires gradients and every
     * tensor that asked to retain its gradient.
     */
    public static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new AutogradException("backward() on a tensor that does not require gradients: no parameter or"
                    + " input with requiresGrad(true) was used to compute it (or it was computed under noGrad)");
        }
        if (!seed.shape().equals(root.shape())) {
            throw new AutogradException("backward(): the seed gradient has shape " + seed.shape()
                    + " but the tensor has shape " + root.shape());
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (Scope s = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null || t.retainsGrad()) {
                    t.accumulateGrad(g);
                }
                if (node == null) {
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] inGrads = node.apply(g);
                if (inGrads.length != inputs.length) {
                    throw new IllegalStateException(node.op() + ": backward gave " + inGrads.length
                            + " gradients for " + inputs.length + " inputs");
                }
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor ig = inGrads[k];
                    if (in == null || ig == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!ig.shape().equals(in.shape())) {
                        throw new IllegalStateException(node.op() + ": gradient of input " + k + " has shape "
                                + ig.shape() + " but the input has shape " + in.shape());
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? ig : prev.add(ig));
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        }
    }

    /** Backward from a scalar with the seed 1. */
    public static void backward(Tensor root) {
        if (root.shape().numel() != 1) {
            throw new AutogradException("backward() needs a scalar (one element) but the tensor has shape "
                    + root.shape() + "; reduce it first (sum or mean) or pass a seed gradient");
        }
        backward(root, Tensor.full(1f, root.shape().toArray()), false);
    }

    /** Tensors reachable from root through recorded nodes, each after all of its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            while (next < inputs.length && (inputs[next] == null || !inputs[next].requiresGrad()
                    || seen.containsKey(inputs[next]))) {
                next++;
            }
            if (next < inputs.length) {
                frame[1] = next + 1;
                seen.put(inputs[next], Boolean.TRUE);
                stack.push(new Object[] {inputs[next], 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
