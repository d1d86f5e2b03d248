package dev.hearth.engine.optim;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.kernels.VectorMath;
import dev.hearth.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Adam (Kingma and Ba, 2015) with bias correction. Weight decay, when set, is either added to
 * the gradient (L2, as in PyTorch's Adam) or, for {@link AdamW}, decoupled: {@code p -= lr * wd * p}
 * before the Adam update, and then only for the parameters the decay filter selects.
 */
public class Adam extends BaseOptimizer {

    /**
     * @param beta1       decay of the first-moment average (0.9)
     * @param beta2       decay of the second-moment average (0.999; 0.95 is common for LLMs)
     * @param eps         added to the denominator (1e-8)
     * @param weightDecay decay coefficient
     */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public static Config defaults() {
            return new Config(0.9, 0.999, 1e-8, 0);
        }
    }

    private final Config config;
    private final boolean decoupled;
    private final BiPredicate<String, Tensor> decays;
    private final Map<String, Tensor> m = new HashMap<>();
    private final Map<String, Tensor> v = new HashMap<>();

    public Adam(Map<String, Tensor> params, double lr, Config config) {
        this(params, lr, config, false, (name, p) -> true);
    }

    Adam(Map<String, Tensor> params, double lr, Config config, boolean decoupled, BiPredicate<String, Tensor> decays) {
        super(params, lr);
        this.config = config;
        this.decoupled = decoupled;
        this.decays = decays;
    }

    String kind() {
        return "adam";
    }

    @Override
    public void step() {
        steps++;
        float b1 = (float) config.beta1();
        float b2 = (float) config.beta2();
        float bc1 = (float) (1 - StrictMath.pow(config.beta1(), steps));
        float bc2 = (float) (1 - StrictMath.pow(config.beta2(), steps));
        float lrF = (float) lr;
        float eps = (float) config.eps();
        float wd = (float) config.weightDecay();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (var e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = gradOf(p);
                if (g == null) {
                    continue;
                }
                Tensor mt = m.computeIfAbsent(e.getKey(), k -> Tensor.zeros(p.shape()));
                Tensor vt = v.computeIfAbsent(e.getKey(), k -> Tensor.zeros(p.shape()));
                if (wd != 0 && decays.test(e.getKey(), p)) {
                    if (decoupled) {
                        p.scaleInPlace(1 - lrF * wd);
                    } else {
                        g = g.add(p.scale(wd));
                    }
                }
                float[] pd = p.data();
                int po = p.offset();
                float[] gd = g.data();
                int go = g.offset();
                ComputePool.shared().parallelFor(p.numel(), 1 << 15, (i0, i1) -> VectorMath.adam(i1 - i0,
                        pd, po + i0, gd, go + i0, mt.data(), vt.data(), i0, lrF, b1, b2, eps, bc1, bc2));
            }
        }
    }

    @Override
    public OptimizerState state() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            if (m.containsKey(k)) {
                t.put("exp_avg." + k, m.get(k).copy());
                t.put("exp_avg_sq." + k, v.get(k).copy());
            }
        }
        Map<String, String> s = commonScalars(kind());
        s.put("beta1", Double.toString(config.beta1()));
        s.put("beta2", Double.toString(config.beta2()));
        s.put("eps", Double.toString(config.eps()));
        s.put("weight_decay", Double.toString(config.weightDecay()));
        return new OptimizerState(t, s);
    }

    @Override
    public void loadState(OptimizerState s) {
        loadCommon(s, kind());
        m.clear();
        v.clear();
        try (Autograd.Scope sc = Autograd.noGrad()) {
            for (var e : params.entrySet()) {
                String k = e.getKey();
                if (s.tensors().containsKey("exp_avg." + k)) {
                    Tensor mt = Tensor.zeros(e.getValue().shape());
                    Tensor vt = Tensor.zeros(e.getValue().shape());
                    restore(s, "exp_avg." + k, mt);
                    restore(s, "exp_avg_sq." + k, vt);
                    m.put(k, mt);
                    v.put(k, vt);
                }
            }
        }
    }
}
