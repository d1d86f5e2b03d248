package dev.hearth.engine.optim;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.io.SafeTensorsWriter;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
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

    /** Writes the state as one safetensors file (atomically), the scalars in its metadata. */
    public void save(Path file) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        tensors.forEach(w::add);
        scalars.forEach(w::metadata);
        w.write(file);
    }

    /** Reads a state written by {@link #save}. */
    public static OptimizerState load(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            if (!f.metadata().containsKey("kind")) {
                throw new HearthException(file + " is not an optimizer state (its metadata has no \"kind\")");
            }
            return new OptimizerState(f.readAll(), f.metadata());
        }
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
