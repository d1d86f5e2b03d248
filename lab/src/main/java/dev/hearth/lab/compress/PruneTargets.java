package dev.hearth.lab.compress;

import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The matrices unstructured pruning works on: every linear layer inside the transformer blocks
 * (attention q/k/v/o and the MLP), by parameter name. The token embedding, the output head, norms
 * and biases are left dense: the embedding is a lookup table (a zeroed row loses a token), the head
 * is the embedding itself in tied models, and Wanda and SparseGPT leave both out too.
 */
final class PruneTargets {
    private PruneTargets() {}

    /** Linear layers below {@code model}, by the name of their weight ("layers.0.attn.q_proj.weight"), lm_head excluded. */
    static Map<String, Linear> of(Module model) {
        Map<String, Linear> out = new LinkedHashMap<>();
        collect("", model, out);
        return out;
    }

    private static void collect(String prefix, Module m, Map<String, Linear> out) {
        if (m instanceof Linear l && !prefix.equals("lm_head.")) {
            out.put(prefix + "weight", l);
        }
        for (var c : m.children().entrySet()) {
            collect(prefix + c.getKey() + ".", c.getValue(), out);
        }
    }
}
