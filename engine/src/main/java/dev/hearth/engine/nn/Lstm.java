package dev.hearth.engine.nn;

import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.ops.Recurrent;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A single-direction LSTM over (batch, time, input) sequences, with PyTorch's parameter names
 * and gate order (input, forget, cell, output) so weights move between the two; initialised as
 * PyTorch does, uniform in ±1/sqrt(hidden). Stacked layers feed each other's outputs.
 */
public final class Lstm extends Layer {

    /** Hidden and cell state, each (layers, batch, hidden). */
    public record State(Tensor h, Tensor c) {}

    /** The output sequence (batch, time, hidden) and the final state. */
    public record Result(Tensor output, State state) {}

    private final int hidden;
    private final List<Tensor[]> weights = new ArrayList<>(); // per layer: w_ih (4H, in), w_hh (4H, H), b_ih, b_hh

    public Lstm(int input, int hidden, int layers, Rng rng) {
        this.hidden = hidden;
        float bound = (float) (1 / Math.sqrt(hidden));
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : hidden;
            weights.add(new Tensor[] {
                param("weight_ih_l" + l, Tensor.uniform(rng, -bound, bound, 4 * hidden, in)),
                param("weight_hh_l" + l, Tensor.uniform(rng, -bound, bound, 4 * hidden, hidden)),
                param("bias_ih_l" + l, Tensor.uniform(rng, -bound, bound, 4 * hidden)),
                param("bias_hh_l" + l, Tensor.uniform(rng, -bound, bound, 4 * hidden))});
        }
    }

    /** The output sequence from a zero initial state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).output();
    }

    /** Runs the sequence x (batch, time, input) from {@code initial} (zeros when null). */
    public Result forward(Tensor x, State initial) {
        if (x.rank() != 3 || x.dim(2) != weights.get(0)[0].dim(1)) {
            throw ShapeException.of("lstm", x.shape(), "input must be (batch, time, " + weights.get(0)[0].dim(1) + ")");
        }
        int b = x.dim(0);
        int t = x.dim(1);
        Tensor layerInput = x;
        List<Tensor> hs = new ArrayList<>();
        List<Tensor> cs = new ArrayList<>();
        for (int l = 0; l < weights.size(); l++) {
            Tensor[] w = weights.get(l);
            Tensor h = initial == null ? Tensor.zeros(b, hidden) : initial.h().select(0, l);
            Tensor c = initial == null ? Tensor.zeros(b, hidden) : initial.c().select(0, l);
            // The input half of every step's gates in one product: (B, T, 4H).
            Tensor xGates = MatMul.linear(layerInput, w[0], w[2]);
            List<Tensor> outputs = new ArrayList<>(t);
            for (int step = 0; step < t; step++) {
                Tensor gates = xGates.select(1, step).add(MatMul.linear(h, w[1], w[3]));
                Tensor[] hc = Recurrent.lstmPointwise(gates, c);
                h = hc[0];
                c = hc[1];
                outputs.add(h);
            }
            layerInput = dev.hearth.engine.ops.Views.stack(outputs, 1);
            hs.add(h);
            cs.add(c);
        }
        State last = new State(dev.hearth.engine.ops.Views.stack(hs, 0), dev.hearth.engine.ops.Views.stack(cs, 0));
        return new Result(layerInput, last);
    }

    public int hiddenSize() {
        return hidden;
    }
}
