package dev.hearth.engine.nn;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A piece of a model that owns parameters and child modules. Parameters get stable
 * hierarchical names from the order and names of registration ({@code h.0.attn.q_proj.weight}),
 * and those names are the keys of checkpoints. A module is in training mode until
 * {@link #eval()}; the mode reaches every child.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, QuantizedMatrix> quantized = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter (it is marked as requiring gradients). */
    protected final Tensor param(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        params.put(name, value);
        return value;
    }

    /**
     * Replaces the float parameter {@code name} by a quantized matrix of the same shape: the float
     * tensor leaves {@link #parameters()} (nothing trains it any more) and the matrix appears in
     * {@link #quantizedParameters()} under the same name.
     */
    protected final QuantizedMatrix quantizedParam(String name, QuantizedMatrix value) {
        Tensor old = params.get(name);
        if (old == null) {
            throw new IllegalArgumentException("'" + name + "' is not a float parameter of "
                    + getClass().getSimpleName() + " (already quantized?)");
        }
        if (old.rank() != 2 || old.dim(0) != value.rows() || old.dim(1) != value.cols()) {
            throw new dev.hearth.engine.tensor.ShapeException("quantized '" + name + "' is " + value.rows() + " x "
                    + value.cols() + " but the parameter has shape " + old.shape());
        }
        params.remove(name);
        quantized.put(name, value);
        return value;
    }

    /**
     * Registers {@code value} as the quantized parameter {@code name} of a layer built straight from
     * it (a loaded quantized model): the float parameter of shape (rows, cols) it stands for is never
     * allocated. The matrix must have that shape.
     */
    protected final QuantizedMatrix quantizedParam(String name, QuantizedMatrix value, int rows, int cols) {
        checkName(name);
        if (value.rows() != rows || value.cols() != cols) {
            throw new dev.hearth.engine.tensor.ShapeException("quantized '" + name + "' is " + value.rows() + " x "
                    + value.cols() + " but the parameter has shape (" + rows + ", " + cols + ")");
        }
        quantized.put(name, value);
        return value;
    }

    /** Registers a child module under {@code name}. */
    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a parameter or module name must be non-empty and contain no '.': '"
                    + name + "'");
        }
        if (params.containsKey(name) || children.containsKey(name) || quantized.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is registered twice in " + getClass().getSimpleName());
        }
    }

    /** Every parameter of this module and its children, by hierarchical name, in registration order. */
    public final Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        for (var e : params.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (var e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    /** Every quantized weight of this module and its children, by hierarchical name, in registration order. */
    public final Map<String, QuantizedMatrix> quantizedParameters() {
        Map<String, QuantizedMatrix> out = new LinkedHashMap<>();
        collectQuantized("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectQuantized(String prefix, Map<String, QuantizedMatrix> out) {
        for (var e : quantized.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (var e : children.entrySet()) {
            e.getValue().collectQuantized(prefix + e.getKey() + ".", out);
        }
    }

    /** This module and every module below it, depth first in registration order. */
    public final java.util.List<Module> modules() {
        java.util.List<Module> out = new ArrayList<>();
        out.add(this);
        for (Module m : children.values()) {
            out.addAll(m.modules());
        }
        return out;
    }

    /** The module at dotted {@code path} below this one ("layers.0.attn.q_proj"; "" is this one), or null. */
    public final Module find(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return m;
        }
        for (String part : path.split("\\.")) {
            m = m.children.get(part);
            if (m == null) {
                return null;
            }
        }
        return m;
    }

    /** The direct children, by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of parameter elements, quantized weights included. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : parameters().values()) {
            n += t.numel();
        }
        for (QuantizedMatrix q : quantizedParameters().values()) {
            n += (long) q.rows() * q.cols();
        }
        return n;
    }

    public final boolean isTraining() {
        return training;
    }

    /** Sets training (dropout active) or evaluation mode here and in every child. */
    public final Module train(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.train(on);
        }
        return this;
    }

    /**
     * Evaluation mode for good: every parameter is frozen (never changed again, refused by
     * optimizers), so kernels may keep faster layouts of the weights; a served model's small
     * batches then read transposed copies of its weights of up to 4 MB (a second copy of those).
     */
    public final Module freezeForInference() {
        eval();
        parameters().values().forEach(Tensor::freeze);
        return this;
    }

    public final Module eval() {
        return train(false);
    }

    /** Forgets every parameter's accumulated gradient. */
    public final void zeroGrad() {
        for (Tensor t : parameters().values()) {
            t.zeroGrad();
        }
    }

    /**
     * Copies values from {@code state} (name to tensor, e.g. a checkpoint) into the parameters.
     * Shapes must match. With {@code strict}, a missing or unexpected name is an error listing
     * them all; otherwise the names that were not loaded are returned.
     */
    public final List<String> loadState(Map<String, Tensor> state, boolean strict) {
        return loadState(state, Set.of(), strict);
    }

    /**
     * As {@link #loadState(Map, boolean)}, for a module built around some of its values already (the
     * float tensors a loader supplied as it was built, see {@link SuppliedWeights}): the parameters
     * named in {@code alreadyLoaded} count as present when {@code state} lacks them.
     */
    public final List<String> loadState(Map<String, Tensor> state, Set<String> alreadyLoaded, boolean strict) {
        Map<String, Tensor> mine = parameters();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : state.keySet()) {
            if (!mine.containsKey(k)) {
                unexpected.add(k);
            }
        }
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                if (!alreadyLoaded.contains(e.getKey())) {
                    missing.add(e.getKey());
                }
                continue;
            }
            if (!src.shape().equals(e.getValue().shape())) {
                throw new HearthException("loading '" + e.getKey() + "': the checkpoint has shape " + src.shape()
                        + " but the model expects " + e.getValue().shape() + " (was it saved from a different config?)");
            }
        }
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new HearthException("the checkpoint does not match the model: missing " + missing + ", unexpected "
                    + unexpected);
        }
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (var e : mine.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    e.getValue().copyFrom(src);
                }
            }
        }
        List<String> notLoaded = new ArrayList<>(missing);
        notLoaded.addAll(unexpected);
        return notLoaded;
    }
}
