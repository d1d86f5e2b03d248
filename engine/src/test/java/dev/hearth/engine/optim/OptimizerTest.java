package dev.hearth.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Update rules against PyTorch (tools/reference/make_fixtures.py), state round trips and schedules. */
class OptimizerTest {

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private static final Map<String, Tensor> FX = load();

    private static Map<String, Tensor> load() {
        try {
            return SafeTensors.read(Path.of(OptimizerTest.class.getResource("/fixtures/optimizers.safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Tensor> freshParams() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w", FX.get("w0").copy().requiresGrad(true));
        p.put("b", FX.get("b0").copy().requiresGrad(true));
        return p;
    }

    private static void setGrads(Map<String, Tensor> p, int step) {
        p.get("w").setGrad(FX.get("grad.w.step" + step).copy());
        p.get("b").setGrad(FX.get("grad.b.step" + step).copy());
    }

    private static void assertMatches(String what, Tensor actual, Tensor expected) {
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertThat((double) a[i]).as(what + " element " + i).isCloseTo(e[i], within(2e-6 * Math.max(1, Math.abs(e[i]))));
        }
    }

    private static void matchesPyTorch(String name, Function<Map<String, Tensor>, Optimizer> make) {
        Map<String, Tensor> p = freshParams();
        Optimizer opt = make.apply(p);
        for (int step = 1; step <= 3; step++) {
            setGrads(p, step);
            opt.step();
            assertMatches(name + " w after step " + step, p.get("w"), FX.get(name + ".w.step" + step));
            assertMatches(name + " b after step " + step, p.get("b"), FX.get(name + ".b.step" + step));
        }
        assertThat(opt.steps()).isEqualTo(3);
    }

    @Test
    void sgdVariantsMatchPyTorch() {
        matchesPyTorch("sgd", p -> new Sgd(p, 0.1, Sgd.Config.plain()));
        matchesPyTorch("sgd_momentum", p -> new Sgd(p, 0.1, new Sgd.Config(0.9, 0.1, false, 0)));
        matchesPyTorch("sgd_nesterov_wd", p -> new Sgd(p, 0.1, new Sgd.Config(0.9, 0, true, 0.01)));
    }

    @Test
    void adamVariantsMatchPyTorch() {
        matchesPyTorch("adam", p -> new Adam(p, 0.01, new Adam.Config(0.9, 0.95, 1e-8, 0)));
        matchesPyTorch("adam_l2", p -> new Adam(p, 0.01, new Adam.Config(0.9, 0.999, 1e-8, 0.1)));
        // AdamW decays only tensors of two or more dimensions by default: the matrix, not the vector.
        matchesPyTorch("adamw", p -> new AdamW(p, 0.01, new Adam.Config(0.9, 0.999, 1e-8, 0.1)));
    }

    @Test
    void savedStateContinuesExactly() {
        for (String kind : List.of("adamw", "sgd_momentum")) {
            Function<Map<String, Tensor>, Optimizer> make = kind.equals("adamw")
                    ? p -> new AdamW(p, 0.01, new Adam.Config(0.9, 0.999, 1e-8, 0.1))
                    : p -> new Sgd(p, 0.1, new Sgd.Config(0.9, 0.1, false, 0));
            Map<String, Tensor> p = freshParams();
            Optimizer first = make.apply(p);
            setGrads(p, 1);
            first.step();
            Path file = tmp.resolve(kind + ".safetensors");
            first.state().save(file);
            OptimizerState saved = OptimizerState.load(file);
            Map<String, Tensor> resumedParams = new LinkedHashMap<>();
            p.forEach((k, v) -> resumedParams.put(k, v.copy().requiresGrad(true)));
            Optimizer resumed = make.apply(resumedParams);
            resumed.loadState(saved);
            assertThat(resumed.steps()).isEqualTo(1);
            for (int step = 2; step <= 3; step++) {
                setGrads(resumedParams, step);
                resumed.step();
            }
            assertMatches(kind + " resumed w", resumedParams.get("w"), FX.get(kind + ".w.step3"));
            assertMatches(kind + " resumed b", resumedParams.get("b"), FX.get(kind + ".b.step3"));
        }
    }

    @Test
    void stateFromAnotherOptimizerIsRefused() {
        Map<String, Tensor> p = freshParams();
        Sgd sgd = new Sgd(p, 0.1, Sgd.Config.plain());
        Adam adam = new Adam(p, 0.1, Adam.Config.defaults());
        assertThatThrownBy(() -> adam.loadState(sgd.state())).isInstanceOf(HearthException.class)
                .hasMessageContaining("saved by sgd");
    }

    @Test
    void parametersWithoutGradientsAreLeftAlone() {
        Map<String, Tensor> p = freshParams();
        Adam adam = new AdamW(p, 0.1, AdamW.defaults());
        p.get("w").setGrad(FX.get("grad.w.step1").copy());
        adam.step();
        assertThat(p.get("b").toFloatArray()).containsExactly(FX.get("b0").toFloatArray());
    }

    @Test
    void globalNormClippingMatchesPyTorch() {
        Map<String, Tensor> p = freshParams();
        setGrads(p, 1);
        double norm = GradientClipping.clipGlobalNorm(p.values(), 1.0);
        assertThat(norm).isCloseTo(FX.get("clip.norm").item(), within(1e-5));
        assertMatches("clipped w grad", p.get("w").grad(), FX.get("clip.w"));
        assertMatches("clipped b grad", p.get("b").grad(), FX.get("clip.b"));
        // Under the limit nothing changes.
        float[] before = p.get("w").grad().toFloatArray();
        GradientClipping.clipGlobalNorm(p.values(), 10.0);
        assertThat(p.get("w").grad().toFloatArray()).containsExactly(before);
    }

    @Test
    void schedules() {
        LearningRateSchedule cos = LearningRateSchedule.warmupCosine(1e-3, 1e-4, 10, 110);
        assertThat(cos.at(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(cos.at(9)).isCloseTo(1e-3, within(1e-12));
        assertThat(cos.at(60)).isCloseTo(1e-4 + 0.5 * (1e-3 - 1e-4), within(1e-12));
        assertThat(cos.at(110)).isEqualTo(1e-4);
        assertThat(cos.at(5000)).isEqualTo(1e-4);
        LearningRateSchedule lin = LearningRateSchedule.warmupLinear(1.0, 0.0, 0, 100);
        assertThat(lin.at(0)).isEqualTo(1.0);
        assertThat(lin.at(50)).isCloseTo(0.5, within(1e-12));
        assertThat(lin.at(100)).isEqualTo(0.0);
        assertThat(LearningRateSchedule.constant(0.3).at(123)).isEqualTo(0.3);
        assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(1, 0, 20, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
