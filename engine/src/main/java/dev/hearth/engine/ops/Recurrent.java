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

    /**
     * A whole LSTM layer from a zero state in one operation, for training: {@code xGates (B, T, 4H)}
     * holds every step's input half of the gates ({@code x W_ih^T + b_ih + b_hh}), {@code wHh (4H, H)}
     * the recurrent weight; returns the hidden states {@code (B, T, H)}. Forward and
     * backpropagation through time run as plain loops over the sequence, so a step costs two small
     * products and no tensors; the result and both gradients equal those of calling
     * {@link #lstmCell} step by step.
     */
    public static Tensor lstmSequence(Tensor xGates, Tensor wHh) {
        if (xGates.rank() != 3 || wHh.rank() != 2 || wHh.dim(0) != 4 * wHh.dim(1) || xGates.dim(2) != wHh.dim(0)) {
            throw ShapeException.of("lstm_sequence", xGates.shape(), wHh.shape(), "gates must be (batch, time, 4*hidden)"
                    + " and the recurrent weight (4*hidden, hidden)");
        }
        int b = xGates.dim(0);
        int t = xGates.dim(1);
        int h = wHh.dim(1);
        int g4 = 4 * h;
        float[] xg = xGates.contiguous().toFloatArray();
        float[] w = wHh.contiguous().toFloatArray();
        float[] act = new float[b * t * g4];   // i, f, g, o after their nonlinearities, per (b, t)
        float[] cs = new float[b * t * h];     // cell state after each step
        float[] hs = new float[b * t * h];     // hidden state after each step (the output)
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                int at = (r * t + s);
                int prev = s == 0 ? -1 : at - 1;
                for (int j = 0; j < g4; j++) {
                    float v = xg[at * g4 + j];
                    if (prev >= 0) {
                        int row = j * h;
                        int hp = prev * h;
                        for (int k = 0; k < h; k++) {
                            v += w[row + k] * hs[hp + k];
                        }
                    }
                    act[at * g4 + j] = v;
                }
                for (int j = 0; j < h; j++) {
                    int gi = at * g4 + j;
                    float i = sigmoid(act[gi]);
                    float f = sigmoid(act[gi + h]);
                    float g = FloatMath.tanh(act[gi + 2 * h]);
                    float o = sigmoid(act[gi + 3 * h]);
                    act[gi] = i;
                    act[gi + h] = f;
                    act[gi + 2 * h] = g;
                    act[gi + 3 * h] = o;
                    float c = f * (prev >= 0 ? cs[prev * h + j] : 0) + i * g;
                    cs[at * h + j] = c;
                    hs[at * h + j] = o * FloatMath.tanh(c);
                }
            }
        }
        Tensor y = Tensor.of(hs, b, t, h);
        return Autograd.record(y, "lstm_sequence", new Tensor[] {xGates, wHh}, grad -> {
            float[] dy = grad.contiguous().toFloatArray();
            float[] dxg = new float[xg.length];
            float[] dw = new float[w.length];
            float[] dh = new float[h];
            float[] dc = new float[h];
            float[] dNext = new float[h];
            for (int r = 0; r < b; r++) {
                java.util.Arrays.fill(dNext, 0);
                java.util.Arrays.fill(dc, 0);
                for (int s = t - 1; s >= 0; s--) {
                    int at = r * t + s;
                    int prev = s == 0 ? -1 : at - 1;
                    for (int j = 0; j < h; j++) {
                        dh[j] = dy[at * h + j] + dNext[j];
                    }
                    for (int j = 0; j < h; j++) {
                        int gi = at * g4 + j;
                        float i = act[gi];
                        float f = act[gi + h];
                        float g = act[gi + 2 * h];
                        float o = act[gi + 3 * h];
                        float tc = FloatMath.tanh(cs[at * h + j]);
                        float dcj = dc[j] + dh[j] * o * (1 - tc * tc);
                        float cPrev = prev >= 0 ? cs[prev * h + j] : 0;
                        dxg[gi] = dcj * g * i * (1 - i);
                        dxg[gi + h] = dcj * cPrev * f * (1 - f);
                        dxg[gi + 2 * h] = dcj * i * (1 - g * g);
                        dxg[gi + 3 * h] = dh[j] * tc * o * (1 - o);
                        dc[j] = dcj * f;
                    }
                    java.util.Arrays.fill(dNext, 0);
                    if (prev >= 0) {
                        int hp = prev * h;
                        for (int j = 0; j < g4; j++) {
                            float d = dxg[at * g4 + j];
                            if (d == 0) {
                                continue;
                            }
                            int row = j * h;
                            for (int k = 0; k < h; k++) {
                                dw[row + k] += d * hs[hp + k];
                                dNext[k] += d * w[row + k];
                            }
                        }
                    }
                }
            }
            return new Tensor[] {Tensor.of(dxg, b, t, g4), Tensor.of(dw, g4, h)};
        });
    }

    private static float sigmoid(float v) {
        return 1f / (FloatMath.exp(-v) + 1f);
    }
}
