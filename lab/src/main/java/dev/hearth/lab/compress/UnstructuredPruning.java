package dev.hearth.lab.compress;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets single weights of linear layers to exactly zero, in place, and returns which ones (the
 * masks a fine-tune must keep). Scores: |W_ij| (magnitude) or |W_ij| * ||X_j||_2 (Wanda, with
 * the input norms from {@link Calibration}).
 *
 * <ul>
 *   <li>scope {@code layer}: the lowest-scoring fraction of each matrix (magnitude's default);</li>
 *   <li>scope {@code row}: the lowest-scoring fraction of each output row, as the Wanda paper
 *       compares (each row loses the same count; Wanda's default);</li>
 *   <li>scope {@code global}: the lowest-scoring fraction of all the matrices' scores together
 *       (layers may end with different sparsities);</li>
 *   <li>2:4: in every group of 4 consecutive inputs of a row, the 2 lowest-scoring (sparsity 0.5).</li>
 * </ul>
 */
final class UnstructuredPruning {
    private UnstructuredPruning() {}

    enum Scope { LAYER, ROW, GLOBAL }

    /** The pruned (zeroed) positions of each matrix, bit {@code i * in + j} for weight (i, j). */
    record Masks(Map<String, BitSet> pruned) {}

    /**
     * Scores of every weight of {@code layer}: |W_ij|, times ||X_j||_2 when {@code norms} is not null.
     * Row-major (out, in).
     */
    static float[] scores(Linear layer, double[] norms) {
        float[] w = layer.weight().toFloatArray();
        int in = layer.inFeatures();
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = Math.abs(w[i]) * (norms == null ? 1f : (float) norms[i % in]);
        }
        return s;
    }

    /** Prunes {@code sparsity} of the weights by score, per matrix, per output row or across all matrices. */
    static Masks byScore(Map<String, Linear> layers, Map<String, float[]> scores, double sparsity, Scope scope) {
        Map<String, BitSet> masks = new LinkedHashMap<>();
        if (scope == Scope.GLOBAL) {
            long total = 0;
            for (float[] s : scores.values()) {
                total += s.length;
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new PruningException("global pruning ranks all " + total + " weights at once, more than one"
                        + " array holds; use --scope layer for a model this large");
            }
            float[] all = new float[(int) total];
            int at = 0;
            for (float[] s : scores.values()) {
                System.arraycopy(s, 0, all, at, s.length);
                at += s.length;
            }
            BitSet cut = lowest(all, 0, all.length, (int) Math.floor(sparsity * all.length));
            at = 0;
            for (var e : scores.entrySet()) {
                masks.put(e.getKey(), cut.get(at, at + e.getValue().length));
                at += e.getValue().length;
            }
        } else {
            for (var e : scores.entrySet()) {
                float[] s = e.getValue();
                BitSet m = new BitSet(s.length);
                if (scope == Scope.ROW) {
                    int in = layers.get(e.getKey()).inFeatures();
                    int k = (int) Math.floor(sparsity * in);
                    for (int r = 0; r < s.length; r += in) {
                        BitSet row = lowest(s, r, in, k);
                        for (int j = row.nextSetBit(0); j >= 0; j = row.nextSetBit(j + 1)) {
                            m.set(r + j);
                        }
                    }
                } else {
                    m = lowest(s, 0, s.length, (int) Math.floor(sparsity * s.length));
                }
                masks.put(e.getKey(), m);
            }
        }
        apply(layers, masks);
        return new Masks(masks);
    }

    /** 2:4: per row, per group of 4 consecutive inputs, the 2 lowest scores are pruned. Input widths must be multiples of 4. */
    static Masks twoOfFour(Map<String, Linear> layers, Map<String, float[]> scores) {
        List<String> bad = new ArrayList<>();
        layers.forEach((name, l) -> {
            if (l.inFeatures() % 4 != 0) {
                bad.add(name + " (input width " + l.inFeatures() + ")");
            }
        });
        if (!bad.isEmpty()) {
            throw new PruningException("2:4 pruning groups 4 consecutive inputs, but " + String.join(", ", bad)
                    + (bad.size() == 1 ? " is" : " are") + " not a multiple of 4 wide; use --method magnitude or wanda"
                    + " for this model");
        }
        Map<String, BitSet> masks = new LinkedHashMap<>();
        for (var e : scores.entrySet()) {
            float[] s = e.getValue();
            BitSet m = new BitSet(s.length);
            for (int g = 0; g < s.length; g += 4) {
                // keep the two highest of s[g..g+3]: prune the two lowest (the first wins a tie)
                int lo1 = -1;
                int lo2 = -1;
                for (int j = g; j < g + 4; j++) {
                    if (lo1 < 0 || s[j] < s[lo1]) {
                        lo2 = lo1;
                        lo1 = j;
                    } else if (lo2 < 0 || s[j] < s[lo2]) {
                        lo2 = j;
                    }
                }
                m.set(lo1);
                m.set(lo2);
            }
            masks.put(e.getKey(), m);
        }
        apply(layers, masks);
        return new Masks(masks);
    }

    /** Writes exact zeros at the masked positions of each layer's weight. */
    static void apply(Map<String, Linear> layers, Map<String, BitSet> masks) {
        try (Autograd.Scope g = Autograd.noGrad()) {
            for (var e : masks.entrySet()) {
                Tensor w = layers.get(e.getKey()).weight();
                if (!w.isContiguous()) {
                    throw new IllegalStateException(e.getKey() + " is not stored contiguously");
                }
                float[] d = w.data();
                int off = w.offset();
                BitSet m = e.getValue();
                for (int i = m.nextSetBit(0); i >= 0; i = m.nextSetBit(i + 1)) {
                    d[off + i] = 0f;
                }
            }
        }
    }

    /** The {@code k} lowest of s[from..from+n) as bits 0..n-1 (exactly k of them: ties go to the earlier index). */
    static BitSet lowest(float[] s, int from, int n, int k) {
        BitSet out = new BitSet(n);
        if (k <= 0) {
            return out;
        }
        float[] sorted = Arrays.copyOfRange(s, from, from + n);
        Arrays.sort(sorted);
        float threshold = sorted[k - 1];
        int below = 0;
        for (int j = 0; j < n; j++) {
            if (s[from + j] < threshold) {
                out.set(j);
                below++;
            }
        }
        for (int j = 0; j < n && below < k; j++) {
            if (s[from + j] == threshold) {
                out.set(j);
                below++;
            }
        }
        return out;
    }
}
