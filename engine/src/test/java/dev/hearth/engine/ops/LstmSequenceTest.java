package dev.hearth.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.hearth.engine.nn.Lstm;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LstmSequenceTest {
    @Test
    void theFusedSequenceEqualsTheStepByStepLayerInValueAndGradient() {
        Rng rng = new Rng(5);
        Lstm lstm = new Lstm(3, 4, 1, rng);
        Map<String, Tensor> p = lstm.parameters();
        float[] xd = Tensor.randn(new Rng(6), 1f, 2, 5, 3).toFloatArray();
        float[] wd = Tensor.randn(new Rng(7), 1f, 2, 5, 4).toFloatArray();   // weights of a loss sum(w * h)

        Tensor x1 = Tensor.of(xd.clone(), 2, 5, 3).requiresGrad(true);
        Tensor ref = lstm.forward(x1);
        ref.mul(Tensor.of(wd, 2, 5, 4)).sum().backward();
        float[] refOut = ref.toFloatArray();
        float[] refDx = x1.grad().toFloatArray();
        float[] refDw = p.get("weight_hh_l0").grad().toFloatArray();
        float[] refDb = p.get("bias_hh_l0").grad().toFloatArray();
        lstm.zeroGrad();

        Tensor x2 = Tensor.of(xd.clone(), 2, 5, 3).requiresGrad(true);
        Tensor gates = MatMul.linear(x2, p.get("weight_ih_l0"), p.get("bias_ih_l0")).add(p.get("bias_hh_l0"));
        Tensor fused = Recurrent.lstmSequence(gates, p.get("weight_hh_l0"));
        fused.mul(Tensor.of(wd, 2, 5, 4)).sum().backward();
        assertClose(fused.toFloatArray(), refOut);
        assertClose(x2.grad().toFloatArray(), refDx);
        assertClose(p.get("weight_hh_l0").grad().toFloatArray(), refDw);
        assertClose(p.get("bias_hh_l0").grad().toFloatArray(), refDb);
    }

    private static void assertClose(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as("element %d", i).isCloseTo(b[i], offset(1e-5f));
        }
    }
}
