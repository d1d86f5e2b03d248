package dev.hearth.engine.nn;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.ops.Attention;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * Causal self-attention with multi-head or grouped-query heads and optional rotary position
 * embedding. Projections are named as in Llama ({@code q_proj, k_proj, v_proj, o_proj}); the
 * output projection is a residual projection, initialised with the smaller standard deviation.
 */
public final class MultiHeadAttention extends Layer {

    /**
     * @param dim        model width C
     * @param heads      query heads H
     * @param kvHeads    key/value heads (H for multi-head, fewer for grouped-query, 1 for multi-query)
     * @param headDim    width of one head; the queries are H x headDim wide, which is C unless heads
     *                   were pruned away (then the projections map C to fewer than C features)
     * @param qkvBias    whether the query, key and value projections have biases (GPT-2, Qwen2)
     * @param outputBias whether the output projection has a bias (GPT-2)
     * @param ropeTheta  base of rotary embedding, or 0 for none (positions added elsewhere)
     * @param layers     number of blocks in the model, for the residual initialisation
     */
    public record Config(int dim, int heads, int kvHeads, int headDim, boolean qkvBias, boolean outputBias,
                         float ropeTheta, int layers) {
        public Config {
            if (heads <= 0 || headDim <= 0) {
                throw new IllegalArgumentException("attention needs at least one head of positive width, not " + heads
                        + " heads of " + headDim);
            }
            if (kvHeads <= 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException(heads + " query heads are not a multiple of " + kvHeads
                        + " key/value heads");
            }
        }

        /** Heads that split the width C evenly: head size C / H. */
        public Config(int dim, int heads, int kvHeads, boolean qkvBias, boolean outputBias, float ropeTheta,
                      int layers) {
            this(dim, heads, kvHeads, evenHeadDim(dim, heads), qkvBias, outputBias, ropeTheta, layers);
        }

        /** The same bias choice for all four projections, head size C / H. */
        public Config(int dim, int heads, int kvHeads, boolean bias, float ropeTheta, int layers) {
            this(dim, heads, kvHeads, bias, bias, ropeTheta, layers);
        }

        private static int evenHeadDim(int dim, int heads) {
            if (heads <= 0 || dim % heads != 0) {
                throw new IllegalArgumentException("attention width " + dim + " is not divisible by " + heads + " heads");
            }
            return dim / heads;
        }

        /** Width of the queries (and of the output projection's input): heads x headDim. */
        public int queryDim() {
            return heads * headDim;
        }
    }

    private final Config config;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;

    public MultiHeadAttention(Config c, Rng rng) {
        this(c, rng, SuppliedWeights.NONE);
    }

    /** As {@link #MultiHeadAttention(Config, Rng)}, the projections taking the weights {@code supplied} holds. */
    public MultiHeadAttention(Config c, Rng rng, SuppliedWeights supplied) {
        this.config = c;
        int kvDim = c.kvHeads() * c.headDim();
        float std = Init.DEFAULT_STD;
        this.q = child("q_proj", Linear.of(c.dim(), c.queryDim(), c.qkvBias(), std, rng, supplied.below("q_proj")));
        this.k = child("k_proj", Linear.of(c.dim(), kvDim, c.qkvBias(), std, rng, supplied.below("k_proj")));
        this.v = child("v_proj", Linear.of(c.dim(), kvDim, c.qkvBias(), std, rng, supplied.below("v_proj")));
        this.o = child("o_proj", Linear.of(c.queryDim(), c.dim(), c.outputBias(), Init.residualStd(c.layers()), rng,
                supplied.below("o_proj")));
    }

    public Config config() {
        return config;
    }

    /** Training and scoring: x (B, T, C), positions 0..T-1, no cache. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0, null, null);
    }

    /**
     * x (B, T, C) holding time steps {@code start .. start+T-1}; with a cache, the new keys and
     * values are appended and the queries attend to everything cached. {@code padding} (one count
     * per sequence, or null) says how many leading time steps of each sequence are padding: they
     * are never attended to, and positions count from the first real token.
     */
    public Tensor forward(Tensor x, int start, KvCache cache, int[] padding) {
        if (x.rank() != 3 || x.dim(2) != config.dim()) {
            throw ShapeException.of("attention", x.shape(), "input must be (batch, time, " + config.dim() + ")");
        }
        int b = x.dim(0);
        int t = x.dim(1);
        int hd = config.headDim();
        Tensor qh = q.forward(x).reshape(b, t, config.heads(), hd);
        Tensor kh = k.forward(x).reshape(b, t, config.kvHeads(), hd);
        Tensor vh = v.forward(x).reshape(b, t, config.kvHeads(), hd);
        if (config.ropeTheta() > 0) {
            int[] positions = Positions.of(b, t, start, padding);
            qh = Attention.rope(qh, positions, config.ropeTheta());
            kh = Attention.rope(kh, positions, config.ropeTheta());
        }
        if (cache != null && b == 1 && t <= CACHED_ROWS_MAX && padding == null && !Autograd.needsGrad(qh, kh, vh)) {
            if (t == 1) {
                return o.forward(attendCached(qh, kh, vh, List.of(cache)));         // one decoding step
            }
            cache.append(kh, vh);                                                   // a short prompt
            return o.forward(attendRows(qh, cache));
        }
        if (cache != null) {
            Tensor[] kv = cache.append(kh, vh);
            kh = kv[0];
            vh = kv[1];
        }
        Tensor y = Attention.scaledDotProduct(qh, kh, vh, true, (float) (1 / Math.sqrt(hd)), padding);
        return o.forward(y.reshape(b, t, config.queryDim()));
    }

    /**
     * One new token of each of n independent sequences, x (n, 1, C): sequence i is at position
     * {@code positions[i]} and has its own cache {@code caches.get(i)} (batch 1), to which its key
     * and value are appended. The projections run on all n rows at once; attention reads each
     * sequence's own cache.
     */
    public Tensor forwardEach(Tensor x, int[] positions, List<KvCache> caches) {
        int n = x.dim(0);
        if (x.rank() != 3 || x.dim(1) != 1 || x.dim(2) != config.dim()) {
            throw ShapeException.of("attention step", x.shape(), "input must be (sequences, 1, " + config.dim() + ")");
        }
        if (positions.length != n || caches.size() != n) {
            throw new HearthException(n + " sequences were given " + positions.length + " positions and "
                    + caches.size() + " caches; give one of each per sequence");
        }
        int hd = config.headDim();
        Tensor qh = q.forward(x).reshape(n, 1, config.heads(), hd);
        Tensor kh = k.forward(x).reshape(n, 1, config.kvHeads(), hd);
        Tensor vh = v.forward(x).reshape(n, 1, config.kvHeads(), hd);
        if (config.ropeTheta() > 0) {
            qh = Attention.rope(qh, positions, config.ropeTheta());
            kh = Attention.rope(kh, positions, config.ropeTheta());
        }
        if (Autograd.needsGrad(qh, kh, vh)) {
            throw new HearthException("forwardEach is a decoding step and computes no gradients: call it under"
                    + " Autograd.noGrad(), or train with forward");
        }
        return o.forward(attendCached(qh, kh, vh, caches));
    }

    /** Whether {@link #forwardEachRows} may stand in for {@link #forwardEach}: no observer sees a projection. */
    boolean runsOnRows() {
        return !q.observed() && !k.observed() && !v.observed() && !o.observed();
    }

    /** Multiply-adds of attention below which one sequence's heads stay on one thread. */
    private static final int PARALLEL_MIN_WORK = 1 << 15;

    /**
     * Most new positions of one sequence whose attention over its cache goes query by query
     * ({@link #attendRows}), as a decode step's does: a short prompt's blocked products cost more
     * in setup, buffers and softmax passes than in arithmetic (a 24-token prompt of the demo
     * model spent 14% of its time there); a longer one takes the blocked path.
     */
    public static final int CACHED_ROWS_MAX = 64;

    /**
     * Decoding attention: row i of qh, kh, vh (n, 1, heads, head_dim) is sequence i's new token;
     * its key and value are appended to {@code caches.get(i)} (batch 1), and its query attends to
     * everything that cache holds ({@link Attention#oneQuery}). Returns (n, 1, queryDim).
     */
    private Tensor attendCached(Tensor qh, Tensor kh, Tensor vh, List<KvCache> caches) {
        Tensor qc = qh.contiguous();
        Tensor kc = kh.contiguous();
        Tensor vc = vh.contiguous();
        float[] out = new float[caches.size() * config.queryDim()];
        attendCached(qc.data(), qc.offset(), kc.data(), kc.offset(), vc.data(), vc.offset(), caches, out, 0);
        return Tensor.of(out, caches.size(), 1, config.queryDim());
    }

    /** {@link #attendCached(Tensor, Tensor, Tensor, List)} on raw rows, the outputs' rows into out from oo. */
    private void attendCached(float[] qd, int qo, float[] kd, int ko, float[] vd, int vo, List<KvCache> caches,
                              float[] out, int oo) {
        int n = caches.size();
        int kvRow = config.kvHeads() * config.headDim();
        KvCache[] each = new KvCache[n];
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) {
            KvCache c = caches.get(i);
            c.appendOne(kd, ko + i * kvRow, vd, vo + i * kvRow);
            each[i] = c;
            keys[i] = c.length();
        }
        attend(qd, qo, each, keys, out, oo);
    }

    /**
     * {@link #forwardEach} on raw rows, for a decode step on reused buffers, with the same bits:
     * x's n rows (the block's normalised input, dim floats each) from {@code xo}; the output
     * projection's rows go into y from {@code yo}. The caller checks the shapes and that no
     * gradient is wanted.
     */
    void forwardEachRows(int n, float[] x, int xo, int[] positions, List<KvCache> caches, float[] y, int yo,
                         StepBuffers buffers) {
        int hd = config.headDim();
        int qRow = config.queryDim();
        int kvRow = config.kvHeads() * hd;
        float[] qb = buffers.get(StepBuffers.QUERIES, n * qRow);
        float[] kb = buffers.get(StepBuffers.KEYS, n * kvRow);
        float[] vb = buffers.get(StepBuffers.VALUES, n * kvRow);
        q.forwardRows(n, x, xo, qb, 0);
        k.forwardRows(n, x, xo, kb, 0);
        v.forwardRows(n, x, xo, vb, 0);
        if (config.ropeTheta() > 0) {
            Attention.ropeRows(qb, 0, n, config.heads(), hd, positions, config.ropeTheta());
            Attention.ropeRows(kb, 0, n, config.kvHeads(), hd, positions, config.ropeTheta());
        }
        float[] att = buffers.get(StepBuffers.ATTENDED, n * qRow);
        attendCached(qb, 0, kb, 0, vb, 0, caches, att, 0);
        o.forwardRows(n, att, 0, y, yo);
    }

    /**
     * The attention of a sequence's t new positions, qh (1, t, heads, head_dim), over its cache,
     * which already holds their keys and values: position r sees the cache up to itself, query by
     * query as a decode step does. Returns (1, t, queryDim).
     */
    private Tensor attendRows(Tensor qh, KvCache cache) {
        int t = qh.dim(1);
        KvCache[] each = new KvCache[t];
        int[] keys = new int[t];
        for (int r = 0; r < t; r++) {
            each[r] = cache;
            keys[r] = cache.length() - t + r + 1;
        }
        return Tensor.of(attend(qh.contiguous(), each, keys), 1, t, config.queryDim());
    }

    /**
     * Query i (row i of qc, contiguous, heads x head_dim floats) attends to the first
     * {@code keys[i]} positions of {@code caches[i]} ({@link Attention#oneQuery}); returns the
     * rows of outputs. The (query, key/value head) pairs are shared over threads when there is
     * enough work; each pair's result is the same whichever thread computes it.
     */
    private float[] attend(Tensor qc, KvCache[] caches, int[] keys) {
        float[] out = new float[caches.length * config.queryDim()];
        attend(qc.data(), qc.offset(), caches, keys, out, 0);
        return out;
    }

    /** {@link #attend(Tensor, KvCache[], int[])} on raw rows: the queries from qo, the outputs from oo. */
    private void attend(float[] qd, int qo, KvCache[] caches, int[] keys, float[] out, int oo) {
        int n = caches.length;
        int h = config.heads();
        int hkv = config.kvHeads();
        int hd = config.headDim();
        int qRow = h * hd;
        int longest = 0;
        for (int tk : keys) {
            longest = Math.max(longest, tk);
        }
        float scale = (float) (1 / Math.sqrt(hd));
        int scratch = 4 * longest;                                        // four heads' scores
        long pairWork = 2L * (h / hkv) * longest * hd;
        int grain = (int) Math.max(1, Math.min(n * hkv, PARALLEL_MIN_WORK / Math.max(1, pairWork)));
        ComputePool.shared().parallelFor(n * hkv, grain, (p0, p1) -> {
            float[] scores = new float[scratch];
            for (int p = p0; p < p1; ) {
                int i = p / hkv;                                          // a query's heads in one call
                int g = p % hkv;
                int end = Math.min(p1, (i + 1) * hkv);
                KvCache c = caches[i];
                Attention.oneQuery(g, g + end - p, h, hkv, hd, keys[i], scale, qd, qo + i * qRow, c.keyData(),
                        c.valueData(), 0, out, oo + i * qRow, scores);
                p = end;
            }
        });
    }

    /**
     * The causal attention probabilities (B, H, T, T) for x (B, T, C) at positions 0..T-1: row i
     * of head h is softmax(q_i · k_j / sqrt(head_dim)) over keys j <= i, zero after i. Computed
     * apart from {@link #forward} (whose fused kernel never forms them), without gradients, for
     * attention-map explanations.
     */
    public Tensor attentionWeights(Tensor x) {
        if (x.rank() != 3 || x.dim(2) != config.dim()) {
            throw ShapeException.of("attention", x.shape(), "input must be (batch, time, " + config.dim() + ")");
        }
        int b = x.dim(0);
        int t = x.dim(1);
        int h = config.heads();
        int hkv = config.kvHeads();
        int hd = config.headDim();
        Tensor qh;
        Tensor kh;
        try (Autograd.Scope s = Autograd.noGrad()) {
            qh = q.forward(x).reshape(b, t, h, hd);                                        // (B, T, H, hd)
            kh = k.forward(x).reshape(b, t, hkv, hd);                                      // (B, T, Hkv, hd)
            if (config.ropeTheta() > 0) {
                int[] positions = Positions.of(b, t, 0, null);
                qh = Attention.rope(qh, positions, config.ropeTheta());
                kh = Attention.rope(kh, positions, config.ropeTheta());
            }
            qh = qh.contiguous();
            kh = kh.contiguous();
        }
        float[] qd = qh.data();
        float[] kd = kh.data();
        int qo = qh.offset();
        int ko = kh.offset();
        float[] p = new float[b * h * t * t];
        double scale = 1 / Math.sqrt(hd);
        double[] row = new double[t];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int kvHead = hi / (h / hkv);
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        int qi = qo + ((bi * t + i) * h + hi) * hd;
                        int kj = ko + ((bi * t + j) * hkv + kvHead) * hd;
                        for (int d = 0; d < hd; d++) {
                            dot += qd[qi + d] * kd[kj + d];
                        }
                        row[j] = dot * scale;
                        max = Math.max(max, row[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        row[j] = Math.exp(row[j] - max);
                        sum += row[j];
                    }
                    int out = ((bi * h + hi) * t + i) * t;
                    for (int j = 0; j <= i; j++) {
                        p[out + j] = (float) (row[j] / sum);
                    }
                }
            }
        }
        return Tensor.of(p, b, h, t, t);
    }

    /** A cache sized for this layer. */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(batch, capacity, config.kvHeads(), config.headDim());
    }
}
