package dev.hearth.engine.generate;

import dev.hearth.engine.tensor.Rng;
import java.util.Arrays;
import java.util.BitSet;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Picks the next token from one row of logits, in Hugging Face's order:
 *
 * <ol>
 *   <li>repetition penalty (CTRL): for every token already in the sequence, prompt included, a
 *       logit l becomes {@code l / penalty} if l > 0, else {@code l * penalty} (each token once,
 *       however often it occurred);</li>
 *   <li>temperature 0: the highest score wins (the lowest id among equals), nothing is drawn;</li>
 *   <li>otherwise the scores are divided by the temperature;</li>
 *   <li>top-k: tokens scoring below the k-th highest score are removed (ties with it are kept);</li>
 *   <li>top-p: of the softmax of what is left, the smallest set of most likely tokens whose
 *       probability reaches p is kept (at least one token; equal probabilities in id order);</li>
 *   <li>one draw {@code u = rng.nextDouble()} from the softmax of the kept scores, walking the
 *       tokens in id order.</li>
 * </ol>
 *
 * <p>Everything after the model's float logits is computed in double precision (the softmax's
 * exponentials with the Vector API, within an ulp of {@link Math#exp}). Not thread-safe: it
 * reuses scratch buffers between calls.
 */
public final class Sampler {
    private final SamplingParams params;
    private double[] scores = new double[0];
    private double[] probs = new double[0];
    private int[] heap = new int[0];
    private double[] kHeap = new double[0];

    public Sampler(SamplingParams params) {
        this.params = params;
    }

    public SamplingParams params() {
        return params;
    }

    /**
     * The next token for {@code logits[offset .. offset+vocab)}. {@code seen} marks the tokens
     * already in the sequence (for the repetition penalty; may be null when the penalty is 1);
     * {@code rng} gives the one draw (unused when greedy).
     */
    public int next(float[] logits, int offset, int vocab, BitSet seen, Rng rng) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab, seen);
        }
        return draw(process(logits, offset, vocab, seen), vocab, rng);
    }

    /**
     * The scores a draw is made from, for inspection and tests: the logits after the penalty, the
     * temperature (when it is not 0), top-k and top-p, with {@code -Infinity} for removed tokens.
     * Their softmax is the distribution {@link #next} draws from.
     */
    public double[] scores(float[] logits, int offset, int vocab, BitSet seen) {
        return Arrays.copyOf(process(logits, offset, vocab, seen), vocab);
    }

    private int argmax(float[] logits, int offset, int vocab, BitSet seen) {
        boolean penalise = params.repetitionPenalty() != 1 && seen != null;
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float l = logits[offset + i];
            if (l != l) {
                throw nan(i);
            }
            double s = penalise && seen.get(i) ? penalise(l) : l;
            if (best < 0 || s > bestScore) {
                best = i;
                bestScore = s;
            }
        }
        return best;
    }

    private double penalise(double l) {
        double r = params.repetitionPenalty();
        return l > 0 ? l / r : l * r;
    }

    private double[] process(float[] logits, int offset, int vocab, BitSet seen) {
        if (scores.length < vocab) {
            scores = new double[vocab];
            probs = new double[vocab];
            heap = new int[vocab];
        }
        double[] s = scores;
        boolean penalise = params.repetitionPenalty() != 1 && seen != null;
        double t = params.isGreedy() ? 1 : params.temperature();
        for (int i = penalise ? 0 : divided(logits, offset, vocab, t, s); i < vocab; i++) {
            double l = logits[offset + i];
            if (l != l) {
                throw nan(i);
            }
            if (penalise && seen.get(i)) {
                l = penalise(l);
            }
            s[i] = l / t;
        }
        if (params.isGreedy()) {
            return s;
        }
        if (params.topK() > 0 && params.topK() < vocab) {
            double kth = kthLargest(s, vocab, params.topK());
            for (int i = 0; i < vocab; i++) {
                if (s[i] < kth) {
                    s[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        if (params.topP() < 1) {
            topP(s, vocab, params.topP());
        }
        return s;
    }

    /** The k-th highest value of s[0..n), with a min-heap of the k highest seen so far. */
    private double kthLargest(double[] s, int n, int k) {
        if (kHeap.length < k) {
            kHeap = new double[k];
        }
        double[] h = kHeap;
        int size = 0;
        for (int i = 0; i < n; i++) {
            double v = s[i];
            if (size < k) {
                int c = size++;
                while (c > 0 && h[(c - 1) >> 1] > v) {
                    h[c] = h[(c - 1) >> 1];
                    c = (c - 1) >> 1;
                }
                h[c] = v;
            } else if (v > h[0]) {
                siftDownMin(h, size, v);
            }
        }
        return h[0];
    }

    private static void siftDownMin(double[] h, int size, double v) {
        int c = 0;
        while (true) {
            int l = 2 * c + 1;
            if (l >= size) {
                break;
            }
            int m = l + 1 < size && h[l + 1] < h[l] ? l + 1 : l;
            if (h[m] >= v) {
                break;
            }
            h[c] = h[m];
            c = m;
        }
        h[c] = v;
    }

    /**
     * Removes all but the nucleus. A token other than the most likely whose probability is below
     * (1 - p) / (n - 1), n the tokens still in play, can never be in it (it and all tokens after it
     * in the sorted order, at most n - 1, together have less than 1 - p), so only the others are
     * ordered, with a heap, and only until the running sum reaches p.
     */
    private void topP(double[] s, int vocab, double p) {
        double max = Double.NEGATIVE_INFINITY;
        int top = -1;
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (s[i] > max) {
                max = s[i];
                top = i;
            }
            if (s[i] != Double.NEGATIVE_INFINITY) {
                n++;
            }
        }
        expShifted(s, vocab, max, probs);
        double z = 0;
        for (int i = 0; i < vocab; i++) {
            z += probs[i];
        }
        double cutoff = n > 1 ? (1 - p) / (n - 1) * z : 0;
        int size = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0 && probs[i] >= cutoff || i == top) {
                heap[size++] = i;
            }
        }
        for (int c = size / 2 - 1; c >= 0; c--) {
            siftDown(heap, size, c);
        }
        double target = p * z;
        double cum = 0;
        int kept = 0;
        // pop the most likely token until the kept ones reach p; popped ids go to the end of the array
        while (size > 0) {
            int first = heap[0];
            cum += probs[first];
            kept++;
            heap[0] = heap[--size];
            heap[size] = first;
            siftDown(heap, size, 0);
            if (cum >= target) {
                break;
            }
        }
        // heap[size .. size+kept) holds the nucleus; everything else goes
        double[] keep = probs;
        for (int j = size; j < size + kept; j++) {
            keep[heap[j]] = -1;           // mark
        }
        for (int i = 0; i < vocab; i++) {
            if (keep[i] != -1) {
                s[i] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    /** Max-heap of ids by probability, the lower id first among equals. */
    private void siftDown(int[] h, int size, int c) {
        int v = h[c];
        while (true) {
            int l = 2 * c + 1;
            if (l >= size) {
                break;
            }
            int m = l + 1 < size && before(h[l + 1], h[l]) ? l + 1 : l;
            if (!before(h[m], v)) {
                break;
            }
            h[c] = h[m];
            c = m;
        }
        h[c] = v;
    }

    private boolean before(int a, int b) {
        return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    }

    /**
     * Draws from the softmax of {@code s}: u = rng.nextDouble() times the sum of the exponentials,
     * and the token is the first (in id order) whose running sum of exponentials exceeds u. The
     * running sums are computed once, in order, into the exponentials' array, and the token is
     * found by bisection (they never decrease); a removed token adds 0 and so is never the first.
     */
    private int draw(double[] s, int vocab, Rng rng) {
        double[] e = probs;
        expShifted(s, vocab, max(s, vocab), e);
        double cum = 0;
        for (int i = 0; i < vocab; i++) {
            cum += e[i];
            e[i] = cum;
        }
        double u = rng.nextDouble() * cum;
        int lo = 0;
        int hi = vocab;                              // the first running sum above u lies in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (e[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if (lo < vocab) {
            return lo;
        }
        for (int i = vocab - 1; i >= 0; i--) {       // u within rounding of the sum: the last token in play
            if (s[i] != Double.NEGATIVE_INFINITY) {
                return i;
            }
        }
        return -1;
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /**
     * {@code e[i] = exp(s[i] - max)} for i < n, 0 where s[i] is -Infinity (a removed token). The
     * Vector API's exponential, within an ulp of Math.exp and about seven times faster here: a draw
     * takes one per token of the vocabulary, for every sequence at every step, which batching
     * cannot share.
     */
    static void expShifted(double[] s, int n, double max, double[] e) {
        if (max == Double.NEGATIVE_INFINITY) {
            Arrays.fill(e, 0, n, 0);
            return;
        }
        int i = 0;
        DoubleVector shift = DoubleVector.broadcast(D, max);
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector.fromArray(D, s, i).sub(shift).lanewise(VectorOperators.EXP).intoArray(e, i);
        }
        for (; i < n; i++) {
            e[i] = Math.exp(s[i] - max);
        }
    }

    /** Floats as wide as {@link #D}'s doubles, so one vector of logits widens into one of scores. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));

    /**
     * {@code s[i] = (double) logits[offset + i] / t} for the whole vectors of [0, n), naming the
     * first NaN; returns where the caller's scalar loop goes on. The same divisions as that loop.
     */
    private static int divided(float[] logits, int offset, int n, double t, double[] s) {
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            FloatVector l = FloatVector.fromArray(F, logits, offset + i);
            if (l.test(VectorOperators.IS_NAN).anyTrue()) {
                throw nan(i + l.test(VectorOperators.IS_NAN).firstTrue());
            }
            ((DoubleVector) l.castShape(D, 0)).div(t).intoArray(s, i);
        }
        return i;
    }

    /** The largest of s[0..n) (a maximum is exact in any order), -Infinity when n is 0. */
    static double max(double[] s, int n) {
        int i = 0;
        DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            acc = acc.max(DoubleVector.fromArray(D, s, i));
        }
        double max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, s[i]);
        }
        return max;
    }

    private static GenerationException nan(int id) {
        return new GenerationException("the model gave a NaN logit for token " + id + "; its weights or inputs are"
                + " broken (check the checkpoint, or lower the learning rate if it was just trained)");
    }
}
