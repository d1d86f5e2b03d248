package dev.hearth.guard.dp;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.autograd.Node;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradient of DP-SGD before its noise: each example's gradient clipped to norm at most C, summed over the
 * batch, left in the parameters' {@code grad}. It takes two backward passes over one batched forward pass, never
 * a batch of one:
 *
 * <ol>
 *   <li>A backward pass from the loss with the parameters' own gradients switched off, keeping the gradient of
 *       every operation that reads a parameter. From those and the operations' inputs, each example's gradient
 *       norm follows per layer without forming the gradient where a cheaper identity exists (outer products for
 *       dense layers, Gram matrices, "ghost norms", for sequences and late conv layers, index grouping for
 *       lookups; see {@link LinearUse}, {@link ConvUse}, {@link EmbeddingUse}, {@link NormUse}). A parameter read
 *       twice, such as an embedding tied to the output head, has its per-example gradients written out one example
 *       at a time and summed, so the norm is exact.</li>
 *   <li>A backward pass from the model's output with its gradient scaled, example by example, by
 *       {@code min(1, C / norm_i)}: the parameters receive {@code sum_i min(1, C / norm_i) g_i}.</li>
 * </ol>
 *
 * <p>The loss must be the mean over the batch of per-example losses, each depending on its own example only,
 * and reach the parameters only through the output: no batch normalisation, no weight penalty in the loss. A
 * parameter read by an operation other than linear, conv2d, embedding, layer_norm or rms_norm (a learned scale in a
 * mul, say) is refused with a message naming it. Parameters read many times (an LSTM's weights, once per step)
 * go through the written-out path and stay exact.
 */
public final class PerExampleClipping {

    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private final double clipNorm;

    /** Statistics of one batch: each example's gradient norm before clipping, and how many were clipped. */
    public record Result(double[] norms, int clipped) {
        /** The number of examples. */
        public int examples() {
            return norms.length;
        }
    }

    /**
     * @param parameters the model's parameters by name; those that require gradients are trained and clipped
     * @param clipNorm   C, the largest norm one example's gradient may have
     */
    public PerExampleClipping(Map<String, Tensor> parameters, double clipNorm) {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new DpException("the clipping norm must be a number > 0, got " + clipNorm
                    + ": 1.0 is a common start; it bounds how much one example can move the model");
        }
        for (var e : parameters.entrySet()) {
            if (e.getValue().requiresGrad()) {
                names.put(e.getValue(), e.getKey());
            }
        }
        this.clipNorm = clipNorm;
    }

    /** C. */
    public double clipNorm() {
        return clipNorm;
    }

    /**
     * Back-propagates {@code loss}, the mean over {@code examples} of per-example losses computed from
     * {@code output} (whose leading dimension, or leading rows, run over the examples), and adds to each trainable
     * parameter's {@code grad} the sum of the examples' gradients, each clipped to the clipping norm. The graph is
     * released afterwards, as by an ordinary backward pass.
     */
    public Result backward(Tensor loss, Tensor output, int examples) {
        if (examples < 1) {
            throw new DpException("a batch for per-example clipping needs at least one example, got " + examples);
        }
        if (loss.numel() != 1) {
            throw new DpException("per-example clipping needs a scalar loss (the mean over the batch), got shape "
                    + loss.shape());
        }
        ParameterUse.rowsPerExample("output", output, examples);
        Map<Tensor, List<ParameterUse>> uses = findUses(loss, examples);
        List<ParameterUse> all = new ArrayList<>();
        for (List<ParameterUse> list : uses.values()) {
            for (ParameterUse u : list) {
                if (!all.contains(u)) {
                    all.add(u);
                }
            }
        }
        for (ParameterUse u : all) {
            u.deltaSource().retainGrad();
        }
        output.retainGrad();

        // Pass 1: output gradients of every example, as if the loss were the sum of per-example losses.
        List<Tensor> trained = new ArrayList<>(names.keySet());
        for (Tensor p : trained) {
            p.requiresGrad(false);
        }
        try {
            Autograd.backward(loss, Tensor.full((float) examples, loss.shape().toArray()), true);
        } finally {
            for (Tensor p : trained) {
                p.requiresGrad(true);
            }
        }
        if (output.grad() == null) {
            throw new DpException("the loss does not depend on the output given to per-example clipping");
        }

        double[] sq = new double[examples];
        for (ParameterUse u : all) {
            u.bind(examples);
        }
        for (var e : uses.entrySet()) {
            Tensor p = e.getKey();
            List<ParameterUse> list = e.getValue();
            if (list.size() == 1) {
                list.getFirst().addSquaredNorms(p, sq);
            } else {
                addSharedSquaredNorms(p, list, sq);
            }
        }
        double[] norms = new double[examples];
        float[] factor = new float[examples];
        int clipped = 0;
        for (int i = 0; i < examples; i++) {
            norms[i] = Math.sqrt(sq[i]);
            double f = norms[i] > clipNorm ? clipNorm / norms[i] : 1.0;
            if (f < 1) {
                clipped++;
            }
            factor[i] = (float) f;
        }

        // Pass 2: the same graph from the output, each example's gradient scaled by its clipping factor.
        Tensor g = output.grad().contiguous();
        float[] seed = g.toFloatArray();
        int per = seed.length / examples;
        for (int i = 0; i < examples; i++) {
            for (int k = i * per; k < (i + 1) * per; k++) {
                seed[k] *= factor[i];
            }
        }
        Autograd.backward(output, Tensor.of(seed, output.shape().toArray()), false);
        return new Result(norms, clipped);
    }

    /** Example by example, the parameter's gradient summed over its uses, squared and added. */
    private static void addSharedSquaredNorms(Tensor p, List<ParameterUse> list, double[] sq) {
        ComputePool.shared().parallelFor(sq.length, (i0, i1) -> {
            float[] buf = new float[p.numel()];
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(buf, 0f);
                for (ParameterUse u : list) {
                    u.addGradient(p, i, buf);
                }
                sq[i] += ParameterUse.sumOfSquares(buf, 0, buf.length);
            }
        });
    }

    /**
     * The recorded operations that read trainable parameters, grouped by parameter, found by walking the graph
     * back from the loss; a lookup broadcast over the batch is tied to the add that broadcasts it.
     */
    private Map<Tensor, List<ParameterUse>> findUses(Tensor loss, int examples) {
        Map<Tensor, List<ParameterUse>> byParam = new LinkedHashMap<>();
        Map<Tensor, List<Tensor>> consumers = new IdentityHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<EmbeddingUse> lookups = new ArrayList<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        stack.push(loss);
        seen.add(loss);
        while (!stack.isEmpty()) {
            Tensor t = stack.pop();
            Node node = t.gradFn();
            if (node == null) {
                continue;
            }
            List<Tensor> params = new ArrayList<>();
            for (Tensor in : node.inputs()) {
                if (in == null) {
                    continue;
                }
                if (names.containsKey(in)) {
                    params.add(in);
                }
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(t);
                if (in.gradFn() != null && seen.add(in)) {
                    stack.push(in);
                }
            }
            if (params.isEmpty()) {
                continue;
            }
            ParameterUse use = switch (node.op()) {
                case "linear" -> new LinearUse(node, t);
                case "conv2d" -> new ConvUse(node, t);
                case "embedding" -> new EmbeddingUse(node, t);
                case "layer_norm", "rms_norm" -> new NormUse(node, t);
                default -> throw new DpException("DP-SGD cannot compute per-example gradients of " + names.get(
                        params.getFirst()) + ", which is read by the operation '" + node.op() + "'; it supports"
                        + " linear, conv2d, embedding, layer_norm and rms_norm layers (freeze that parameter or"
                        + " train without DP)");
            };
            if (node.op().equals("linear") || node.op().equals("conv2d")) {
                if (names.containsKey(node.inputs()[0])) {
                    throw new DpException("DP-SGD cannot clip " + names.get(node.inputs()[0]) + ": a parameter used as"
                            + " the input of '" + node.op() + "'");
                }
            }
            if (use instanceof EmbeddingUse e) {
                lookups.add(e);
            }
            for (Tensor p : params) {
                byParam.computeIfAbsent(p, k -> new ArrayList<>()).add(use);
            }
        }
        for (EmbeddingUse e : lookups) {
            Tensor out = e.output;
            List<Tensor> by = consumers.getOrDefault(out, List.of());
            if (examples > 1 && by.size() == 1 && by.getFirst().gradFn().op().equals("add")
                    && by.getFirst().numel() == (long) examples * out.numel()) {
                e.broadcastInto(by.getFirst());
            }
        }
        return byParam;
    }
}
