package dev.hearth.engine.optim;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
 * with PyTorch's update rule: {@code g += wd p; buf = mu buf + (1 - dampening) g} (buf = g on
 * the first step); {@code g = nesterov ? g + mu buf : buf; p -= lr g}.
 */
public final class Sgd extends BaseOptimizer {

    public record Config(double momentum, double dampening, boolean nesterov, double weightDecay) {
        public Config {
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and no dampening");
            }
        }

        public static Config plain() {
            return new Config(0, 0, false, 0);
        }
    }

    private final Config config;
    private final Map<String, Tensor> buffers = new HashMap<>();

    public Sgd(Map<String, Tensor> params, double lr, Config config) {
        super(params, lr);
        this.config = config;
    }

    @Override
    public void step() {
        steps++;
        float mu = (float) config.momentum();
        float wd = (float) config.weightDecay();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (var e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = gradOf(p);
                if (g == null) {
                    continue;
                }
                if (wd != 0) {
                    g = g.add(p.scale(wd));
                }
                if (mu != 0) {
                    Tensor buf = buffers.get(e.getKey());
                    if (buf == null) {
                        buf = g.copy();
                        buffers.put(e.getKey(), buf);
                    } else {
                        buf.scaleInPlace(mu);
                        buf.addInPlace(g, (float) (1 - config.dampening()));
                    }
                    if (config.nesterov()) {
                        g = g.add(buf.scale(mu));
                    } else {
                        g = buf;
                    }
                }
                VectorMath.axpy(p.numel(), (float) -lr, g.data(), g.offset(), p.data(), p.offset());
            }
        }
    }

    @Override
    public OptimizerState state() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            if (buffers.containsKey(k)) {
                t.put("momentum_buffer." + k, buffers.get(k).copy());
            }
        }
        Map<String, String> s = commonScalars("sgd");
        s.put("momentum", Double.toString(config.momentum()));
        s.put("dampening", Double.toString(config.dampening()));
        s.put("nesterov", Boolean.toString(config.nesterov()));
        s.put("weight_decay", Double.toString(config.weightDecay()));
        return new OptimizerState(t, s);
    }

    @Override
    public void loadState(OptimizerState s) {
        loadCommon(s, "sgd");
        buffers.clear();
        for (var e : params.entrySet()) {
            String key = "momentum_buffer." + e.getKey();
            if (s.tensors().containsKey(key)) {
                Tensor b = Tensor.zeros(e.getValue().shape());
                restore(s, key, b);
                buffers.put(e.getKey(), b);
            }
        }
    }
}
