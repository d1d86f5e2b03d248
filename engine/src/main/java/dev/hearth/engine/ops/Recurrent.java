package dev.hearth.engine.ops;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.FloatMath;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * The LSTM cell, as in PyTorch: {@code gates = x W_ih^T + b_ih + h W_hh^T + b_hh} split into
 * input, forget, cell and output gates (in that order), {@code c' = f*c + i*g},
 * {@code h' = o*tanh(c')}. The two products go through {@link MatMul#linear}; the gate
 * nonlinearities and state update are one fused operation with a closed-form gradient.
 */
public final class Recurrent {
    private Recurrent() {}

    /** One step: returns {h', c'} for x (B, in), h and c (B, H), weights (4H, in) and (4H, H), biases (4H) or null. */
    public static Tensor[] lstmCell(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        Tensor gates = MatMul.linear(x, wIh, bIh).add(MatMul.linear(h, wHh, bHh));
        return lstmPointwise(gates, c);
    }

    /**
     * From pre-activation gates (B, 4H) and the previous cell state c (B, H), the new hidden and
     * cell states, each (B, H).
     */
    public static Tensor[] lstmPointwise(Tensor gates, Tensor c) {
        if (gates.rank() != 2 || c.rank() != 2 || gates.dim(0) != c.dim(0) || gates.dim(1) != 4 * c.dim(1)) {
            throw ShapeException.of("lstm_cell", gates.shape(), c.shape(), "gates must be (batch, 4*hidden) and the"
                    + " cell state (batch, hidden)");
        }
        int b = c.dim(0);
        int hs = c.dim(1);
        float[] gd = gates.contiguous().toFloatArray();
        float[] cd = c.contiguous().toFloatArray();
        // act holds i, f, g, o after their nonlinearities; out holds [h' | c'] per row.
        float[] act = new float[b * 4 * hs];
        float[] out = new float[b * 2 * hs];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < hs; j++) {
                int gi = r * 4 * hs + j;
                float i = sigmoid(gd[gi]);
                float f = sigmoid(gd[gi + hs]);
                float g = FloatMath.tanh(gd[gi + 2 * hs]);
                float o = sigmoid(gd[gi + 3 * hs]);
                act[gi] = i;
                act[gi + hs] = f;
                act[gi + 2 * hs] = g;
                act[gi + 3 * hs] = o;
                float cNew = f * cd[r * hs + j] + i * g;
                out[r * 2 * hs + hs + j] = cNew;
                out[r * 2 * hs + j] = o * FloatMath.tanh(cNew);
            }
        }
        Tensor hc = Tensor.of(out, b, 2 * hs);
        Autograd.record(hc, "lstm_cell", new Tensor[] {gates, c}, grad -> {
            float[] dOut = grad.contiguous().toFloatArray();
            float[] dGates = new float[act.length];
            float[] dC = new float[cd.length];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < hs; j++) {
                    int gi = r * 4 * hs + j;
                    float i = act[gi];
                    float f = act[gi + hs];
                    float g = act[gi + 2 * hs];
                    float o = act[gi + 3 * hs];
                    float cNew = out[r * 2 * hs + hs + j];
                    float tc = FloatMath.tanh(cNew);
                    float dh = dOut[r * 2 * hs + j];
                    float dcNew = dOut[r * 2 * hs + hs + j] + dh * o * (1 - tc * tc);
                    dGates[gi] = dcNew * g * i * (1 - i);
                    dGates[gi + hs] = dcNew * cd[r * hs + j] * f * (1 - f);
                    dGates[gi + 2 * hs] = dcNew * i * (1 - g * g);
                    dGates[gi + 3 * hs] = dh * tc * o * (1 - o);
                    dC[r * hs + j] = dcNew * f;
                }
            }
            return new Tensor[] {Tensor.of(dGates, b, 4 * hs), Tensor.of(dC, b, hs)};
        });
        return new Tensor[] {hc.narrow(1, 0, hs), hc.narrow(1, hs, hs)};
    }

    private static float sigmoid(float v) {
        return 1f / (FloatMath.exp(-v) + 1f);
    }
}
