package dev.hearth.engine.optim;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every optimizer shares: the named parameters, the learning rate and the step count. */
abstract class BaseOptimizer implements Optimizer {
    protected final Map<String, Tensor> params;
    protected double lr;
    protected long steps;

    BaseOptimizer(Map<String, Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new HearthException("an optimizer needs at least one parameter");
        }
        if (!(lr >= 0)) {
            throw new HearthException("the learning rate must be >= 0, got " + lr);
        }
        params.forEach((name, p) -> {
            if (p.frozen()) {
                throw new HearthException("parameter " + name + " is frozen for inference; load the model again to"
                        + " train it");
            }
        });
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.lr = lr;
    }

    @Override
    public void zeroGrad() {
        for (Tensor p : params.values()) {
            p.zeroGrad();
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        if (!(lr >= 0)) {
            throw new HearthException("the learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return params;
    }

    /** The gradient of p as a row-major array view (offset 0 after copying when needed), or null. */
    static Tensor gradOf(Tensor p) {
        Tensor g = p.grad();
        return g == null ? null : g.contiguous();
    }

    /** The scalars every state holds (kind, steps, learning rate), to which a subclass adds its own. */
    Map<String, String> commonScalars(String kind) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kind", kind);
        s.put("steps", Long.toString(steps));
        s.put("lr", Double.toString(lr));
        return s;
    }

    /** Checks that a saved state is of this kind and copies its step count and learning rate. */
    void loadCommon(OptimizerState s, String kind) {
        if (!kind.equals(s.scalar("kind"))) {
            throw new HearthException("optimizer state was saved by " + s.scalar("kind") + ", not " + kind);
        }
        this.steps = Long.parseLong(s.scalar("steps"));
        this.lr = Double.parseDouble(s.scalar("lr"));
    }

    /** Copies a saved buffer into {@code into}, checking its shape. */
    static void restore(OptimizerState s, String key, Tensor into) {
        Tensor t = s.tensor(key);
        if (!t.shape().equals(into.shape())) {
            throw new HearthException("optimizer state '" + key + "' has shape " + t.shape() + " but the parameter has "
                    + into.shape());
        }
        into.copyFrom(t);
    }
}
