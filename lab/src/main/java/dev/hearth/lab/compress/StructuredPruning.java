package dev.hearth.lab.compress;

import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Deletes whole attention heads or SwiGLU channels of a Llama, giving a new, smaller model: the
 * same count is removed from every layer (the engine's Llama has one shape for all its layers),
 * but which ones is chosen per layer by importance on the calibration tokens:
 *
 * <ul>
 *   <li>channel c of a layer's MLP: ||X_c||_2 * ||W_down[:, c]||_2, with X_c the channel's
 *       activation (silu(gate) * up) over the calibration tokens: how much it can add to the
 *       residual stream. Its row of gate_proj and up_proj and its column of down_proj go.</li>
 *   <li>key/value group g (one key/value head and the query heads that share it; a single head under
 *       plain multi-head attention): the sum over its query heads' features j of
 *       ||X_j||_2 * ||W_o[:, j]||_2, X the input of o_proj (the heads' outputs). Its rows of q, k,
 *       v (and their biases) and its columns of o_proj go; head_dim stays.</li>
 * </ul>
 */
final class StructuredPruning {
    private StructuredPruning() {}

    /** The new model and, per layer, the indices removed (channels, or key/value groups). */
    record Result(Llama model, Map<Integer, int[]> removed) {}

    /**
     * How many of {@code units} a fraction removes per layer: the most that does not exceed it
     * (never all, as the fraction is below 1); an error when that is none though the fraction is
     * above 0, since rounding up would remove more than was asked.
     */
    static int count(double fraction, int units, String what) {
        int r = (int) Math.floor(fraction * units + 1e-9);
        if (r >= units) {
            throw new PruningException("--sparsity " + fraction + " would remove all " + units + " " + what
                    + " of each layer (leaving 0); give a fraction below 1");
        }
        if (r == 0 && fraction > 0) {
            throw new PruningException("--sparsity " + fraction + " of " + units + " " + what + " removes none (each"
                    + " layer can only lose whole ones); use at least " + String.format(java.util.Locale.ROOT, "%.4g",
                    1.0 / units) + (units == 1 ? ", which is all of them: this model cannot be pruned this way" : ""));
        }
        return r;
    }

    static Result channels(Llama model, Map<String, double[]> norms, double fraction) {
        Llama.Config c = model.config();
        int r = count(fraction, c.hidden(), "MLP channels");
        Map<String, Tensor> state = new LinkedHashMap<>(model.parameters());
        Map<Integer, int[]> removed = new LinkedHashMap<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".mlp.";
            Linear down = (Linear) model.find("layers." + l + ".mlp.down_proj");
            double[] x = norms.get(p + "down_proj.weight");
            double[] colNorms = columnNorms(down.weight());
            double[] importance = new double[c.hidden()];
            for (int ch = 0; ch < importance.length; ch++) {
                importance[ch] = x[ch] * colNorms[ch];
            }
            int[] cut = lowestIndices(importance, r);
            int[] keep = complement(cut, c.hidden());
            removed.put(l, cut);
            state.put(p + "gate_proj.weight", rows(state.get(p + "gate_proj.weight"), keep, 1));
            state.put(p + "up_proj.weight", rows(state.get(p + "up_proj.weight"), keep, 1));
            state.put(p + "down_proj.weight", columns(state.get(p + "down_proj.weight"), keep, 1));
        }
        return new Result(rebuild(c.withShape(c.heads(), c.kvHeads(), c.hidden() - r), state), removed);
    }

    static Result heads(Llama model, Map<String, double[]> norms, double fraction) {
        Llama.Config c = model.config();
        int groups = c.kvHeads();
        int perGroup = c.heads() / groups;
        int hd = c.headDim();
        int r = count(fraction, groups, groups == c.heads() ? "attention heads" : "key/value groups (of "
                + perGroup + " query heads each)");
        Map<String, Tensor> state = new LinkedHashMap<>(model.parameters());
        Map<Integer, int[]> removed = new LinkedHashMap<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".attn.";
            Linear o = (Linear) model.find("layers." + l + ".attn.o_proj");
            double[] x = norms.get(p + "o_proj.weight");
            double[] colNorms = columnNorms(o.weight());
            double[] importance = new double[groups];
            for (int j = 0; j < c.heads() * hd; j++) {
                importance[j / hd / perGroup] += x[j] * colNorms[j];
            }
            int[] cut = lowestIndices(importance, r);
            int[] keepGroups = complement(cut, groups);
            removed.put(l, cut);
            int[] keepQ = IntStream.of(keepGroups).flatMap(g -> IntStream.range(g * perGroup, (g + 1) * perGroup))
                    .toArray();
            state.put(p + "q_proj.weight", rows(state.get(p + "q_proj.weight"), keepQ, hd));
            state.put(p + "k_proj.weight", rows(state.get(p + "k_proj.weight"), keepGroups, hd));
            state.put(p + "v_proj.weight", rows(state.get(p + "v_proj.weight"), keepGroups, hd));
            state.put(p + "o_proj.weight", columns(state.get(p + "o_proj.weight"), keepQ, hd));
            for (String proj : List.of("q_proj", "k_proj", "v_proj")) {
                Tensor b = state.get(p + proj + ".bias");
                if (b != null) {
                    Tensor kept = rows(b.reshape(b.dim(0), 1), proj.equals("q_proj") ? keepQ : keepGroups, hd);
                    state.put(p + proj + ".bias", kept.reshape(kept.dim(0)));
                }
            }
        }
        int kv = groups - r;
        return new Result(rebuild(c.withShape(kv * perGroup, kv, c.hidden()), state), removed);
    }

    private static Llama rebuild(Llama.Config config, Map<String, Tensor> state) {
        Llama smaller = new Llama(config, new Rng(0));
        smaller.loadState(state, true);
        smaller.eval();
        return smaller;
    }

    /** ||W[:, j]||_2 for each column j of a (out, in) matrix. */
    static double[] columnNorms(Tensor w) {
        float[] d = w.toFloatArray();
        int in = w.dim(1);
        double[] n = new double[in];
        for (int i = 0; i < d.length; i++) {
            n[i % in] += (double) d[i] * d[i];
        }
        for (int j = 0; j < in; j++) {
            n[j] = Math.sqrt(n[j]);
        }
        return n;
    }

    /** The indices of the {@code k} smallest values, ascending by index (ties: the earlier index). */
    static int[] lowestIndices(double[] v, int k) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> v[i]).thenComparingInt(i -> i));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        Arrays.sort(out);
        return out;
    }

    static int[] complement(int[] removed, int n) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0, r = 0; i < n; i++) {
            if (r < removed.length && removed[r] == i) {
                r++;
            } else {
                keep.add(i);
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Blocks of {@code block} rows of w (out, in): block b is rows b*block..(b+1)*block-1; keeps the listed blocks. */
    static Tensor rows(Tensor w, int[] keepBlocks, int block) {
        float[] d = w.toFloatArray();
        int in = w.dim(1);
        float[] out = new float[keepBlocks.length * block * in];
        for (int i = 0; i < keepBlocks.length; i++) {
            System.arraycopy(d, keepBlocks[i] * block * in, out, i * block * in, block * in);
        }
        return Tensor.of(out, keepBlocks.length * block, in);
    }

    /** Keeps the listed blocks of {@code block} columns of w (out, in). */
    static Tensor columns(Tensor w, int[] keepBlocks, int block) {
        float[] d = w.toFloatArray();
        int rowsN = w.dim(0);
        int in = w.dim(1);
        int newIn = keepBlocks.length * block;
        float[] out = new float[rowsN * newIn];
        for (int r = 0; r < rowsN; r++) {
            for (int i = 0; i < keepBlocks.length; i++) {
                System.arraycopy(d, r * in + keepBlocks[i] * block, out, r * newIn + i * block, block);
            }
        }
        return Tensor.of(out, rowsN, newIn);
    }
}
