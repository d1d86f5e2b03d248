package dev.hearth.engine.optim;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * A saveable optimizer state: named tensors (e.g. {@code exp_avg.h.0.attn.q_proj.weight}) and
 * named scalars as strings (the kind of optimizer, the step count, hyper-parameters). Written as
 * one safetensors file, the scalars going to its metadata.
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> scalars) {

    public OptimizerState {
        tensors = Map.copyOf(tensors);
        scalars = Map.copyOf(scalars);
    }

    /** The scalar {@code key}, or an error naming it when the state lacks it. */
    public String scalar(String key) {
        String v = scalars.get(key);
        if (v == null) {
            throw new HearthException("optimizer state has no '" + key + "' (saved by a different optimizer?)");
        }
        return v;
    }

    /** The tensor {@code key}, or an error naming it when the state lacks it. */
    public Tensor tensor(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new HearthException("optimizer state has no tensor '" + key + "' (saved for other parameters?)");
        }
        return t;
    }
}
