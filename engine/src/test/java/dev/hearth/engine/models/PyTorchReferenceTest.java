package dev.hearth.engine.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.nn.Lstm;
import dev.hearth.engine.nn.Mlp;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.nn.MultiHeadAttention;
import dev.hearth.engine.nn.TransformerBlock;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forward outputs, losses and every gradient of four small models against PyTorch, computed in
 * float64 by tools/reference/make_fixtures.py and stored under test resources. Each tensor must
 * match to 1e-5 relative to its largest element. A gradient that is zero in exact arithmetic (the
 * key bias of attention: softmax ignores a constant added to a row) is held to 1e-5 of the
 * model's largest gradient instead, since float32 leaves rounding noise there.
 */
class PyTorchReferenceTest {

    private static final double RTOL = 1e-5;

    private static Map<String, Tensor> fixture(String name) {
        try {
            Path p = Path.of(PyTorchReferenceTest.class.getResource("/fixtures/" + name + ".safetensors").toURI());
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                return f.readAll();
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture's "param.*" tensors under their Hearth names. */
    private static Map<String, Tensor> params(Map<String, Tensor> fx) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith("param.")) {
                p.put(k.substring("param.".length()), v);
            }
        });
        return p;
    }

    private static void assertClose(String what, Tensor actual, Tensor expected) {
        assertClose(what, actual, expected, 0);
    }

    private static void assertClose(String what, Tensor actual, Tensor expected, double floor) {
        assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        if (worst > RTOL * Math.max(scale, floor) + 1e-12) {
            fail(String.format("%s: largest difference %.3g is %.3g of the largest value %.3g (limit %.0e)", what, worst,
                    worst / scale, scale, RTOL));
        }
    }

    /** Output, loss, parameter gradients and the input gradient against the fixture. */
    private static void check(String name, Map<String, Tensor> fx, Module model, Tensor x, Tensor output, Tensor loss) {
        loss.backward();
        assertClose(name + " output", output, fx.get("output"));
        assertClose(name + " loss", loss, fx.get("loss"));
        double largest = 0;
        for (var e : fx.entrySet()) {
            if (e.getKey().startsWith("grad.")) {
                for (float v : e.getValue().toFloatArray()) {
                    largest = Math.max(largest, Math.abs(v));
                }
            }
        }
        for (var e : model.parameters().entrySet()) {
            Tensor expected = fx.get("grad." + e.getKey());
            assertThat(expected).as("fixture gradient for " + e.getKey()).isNotNull();
            double scale = 0;
            for (float v : expected.toFloatArray()) {
                scale = Math.max(scale, Math.abs(v));
            }
            // Only a gradient that is zero in exact arithmetic gets the model-wide floor.
            double floor = scale < 1e-6 * largest ? largest : 0;
            assertClose(name + " grad " + e.getKey(), e.getValue().grad(), expected, floor);
        }
        assertClose(name + " grad input", x.grad(), fx.get("grad.input.x"));
    }

    @Test
    void gptBlock() {
        Map<String, Tensor> fx = fixture("gpt_block");
        var attn = new MultiHeadAttention.Config(16, 4, 4, true, 0f, 1);
        var block = new TransformerBlock(new TransformerBlock.Config(attn, Mlp.Kind.GELU, 64,
                TransformerBlock.Norm.LAYER_NORM, 1e-5f, 0f), new Rng(0));
        block.loadState(params(fx), true);
        Tensor x = fx.get("input.x").requiresGrad(true);
        Tensor y = block.forward(x);
        check("gpt block", fx, block, x, y, y.mul(fx.get("upstream")).sum());
    }

    @Test
    void llamaBlock() {
        Map<String, Tensor> fx = fixture("llama_block");
        var attn = new MultiHeadAttention.Config(16, 4, 2, false, 10000f, 1);
        var block = new TransformerBlock(new TransformerBlock.Config(attn, Mlp.Kind.SWIGLU, 24,
                TransformerBlock.Norm.RMS_NORM, 1e-6f, 0f), new Rng(0));
        block.loadState(params(fx), true);
        Tensor x = fx.get("input.x").requiresGrad(true);
        Tensor y = block.forward(x);
        check("llama block", fx, block, x, y, y.mul(fx.get("upstream")).sum());
    }

    @Test
    void lstm() {
        Map<String, Tensor> fx = fixture("lstm");
        Lstm net = new Lstm(4, 6, 2, new Rng(0));
        net.loadState(params(fx), true);
        Tensor x = fx.get("input.x").requiresGrad(true);
        Lstm.Result r = net.forward(x, null);
        Tensor loss = r.output().mul(fx.get("upstream")).sum()
                .add(r.state().h().mul(fx.get("input.w_h")).sum())
                .add(r.state().c().mul(fx.get("input.w_c")).sum());
        check("lstm", fx, net, x, r.output(), loss);
    }

    @Test
    void convNet() {
        Map<String, Tensor> fx = fixture("conv_net");
        CnnClassifier net = new CnnClassifier(new CnnClassifier.Config(1, 20, 20, 10, 4, 8, 8, 3, 16), new Rng(0));
        net.loadState(params(fx), true);
        Tensor x = fx.get("input.x").requiresGrad(true);
        float[] t = fx.get("input.targets").toFloatArray();
        int[] targets = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            targets[i] = Math.round(t[i]);
        }
        Tensor logits = net.forward(x);
        check("conv net", fx, net, x, logits, Losses.crossEntropy(logits, targets));
    }
}
