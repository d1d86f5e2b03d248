package dev.hearth.engine.models;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Lstm;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.ops.Recurrent;
import dev.hearth.engine.ops.Views;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;
import java.util.List;

/**
 * Tags every code point of a text, the character BiLSTM tagger of Lample et al. (2016) without
 * the CRF: each code point is the sum of a character embedding and a character-shape embedding
 * (upper, lower, digit, Han, space, punctuation, other), a forward LSTM reads the text left to
 * right and a backward LSTM right to left, and a linear layer maps the two states at each
 * position to tag logits (BIO tags, chosen by the caller).
 *
 * <p>The shape embedding is what lets the tagger say something about characters it never saw in
 * training (they all share the unknown id): a capitalised unknown word after "Dr." still looks
 * like a name.
 */
public final class TokenTagger extends Module {
    /** Id 0 pads a batch; id 1 is every code point outside the vocabulary. */
    public static final int PAD = 0;
    public static final int UNKNOWN = 1;
    /** Shape classes of {@link #shapeOf}: 0 pad, then upper, lower, digit, Han, space, punctuation, other. */
    public static final int SHAPES = 8;

    /**
     * @param vocabSize rows of the character table, the two reserved ids included
     * @param embedDim  width of the character and shape embeddings
     * @param hidden    hidden size of each direction's LSTM
     * @param tags      number of tags
     */
    public record Config(int vocabSize, int embedDim, int hidden, int tags) {
        public Config {
            if (vocabSize < 3 || embedDim < 1 || hidden < 1 || tags < 2) {
                throw new HearthException("a token tagger needs a vocabulary of at least one character, positive widths"
                        + " and two or more tags; got vocab " + vocabSize + ", embed " + embedDim + ", hidden " + hidden
                        + ", tags " + tags);
            }
        }
    }

    private final Config config;
    private final Embedding chars;     // (vocab, E)
    private final Embedding shapes;    // (SHAPES, E)
    private final Lstm forwardLstm;    // E -> H, left to right
    private final Lstm backwardLstm;   // E -> H, right to left
    private final Linear head;         // (tags, 2H)

    public TokenTagger(Config config, Rng rng) {
        this.config = config;
        this.chars = child("chars", new Embedding(config.vocabSize(), config.embedDim(), rng));
        this.shapes = child("shapes", new Embedding(SHAPES, config.embedDim(), rng));
        this.forwardLstm = child("forward", new Lstm(config.embedDim(), config.hidden(), 1, rng));
        this.backwardLstm = child("backward", new Lstm(config.embedDim(), config.hidden(), 1, rng));
        this.head = child("head", Linear.withFanInInit(2 * config.hidden(), config.tags(), true, rng));
        try (var s = dev.hearth.engine.autograd.Autograd.noGrad()) {   // unit-variance embeddings, as PyTorch's default
            chars.weight().copyFrom(Tensor.randn(rng, 1f, config.vocabSize(), config.embedDim()));
            shapes.weight().copyFrom(Tensor.randn(rng, 1f, SHAPES, config.embedDim()));
        }
    }

    public Config config() {
        return config;
    }

    /** The shape class of a code point (1..7; 0 is padding). */
    public static int shapeOf(int cp) {
        if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
            return 1;
        }
        if (Character.isLowerCase(cp)) {
            return 2;
        }
        if (Character.isDigit(cp)) {
            return 3;
        }
        if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
            return 4;
        }
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return 5;
        }
        int t = Character.getType(cp);
        if (t >= Character.DASH_PUNCTUATION && t <= Character.OTHER_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION) {
            return 6;
        }
        return 7;
    }

    /**
     * Tag logits (n, time, tags) for n sequences laid out right-padded in {@code ids} and
     * {@code shapeIds} (n × time each), {@code lengths[i]} real positions in sequence i. Padding
     * never reaches a real position: the forward LSTM meets it only after the text, and the
     * backward LSTM reads each text reversed from its own last character.
     */
    public Tensor forward(int[] ids, int[] shapeIds, int n, int time, int[] lengths) {
        if (ids.length != n * time || shapeIds.length != n * time || lengths.length != n) {
            throw new ShapeException("token tagger: " + ids.length + " ids, " + shapeIds.length + " shapes and "
                    + lengths.length + " lengths do not fit " + n + " sequences of " + time + " positions");
        }
        int[] revIds = new int[ids.length];
        int[] revShapes = new int[ids.length];
        int[] unreverse = new int[ids.length];           // row of the backward output that belongs at (b, t)
        for (int b = 0; b < n; b++) {
            int len = lengths[b];
            if (len < 1 || len > time) {
                throw new ShapeException("sequence " + b + " has length " + len + " in a batch of " + time + " positions");
            }
            for (int t = 0; t < time; t++) {
                int at = b * time + t;
                int from = t < len ? b * time + len - 1 - t : at;
                revIds[at] = t < len ? ids[from] : PAD;
                revShapes[at] = t < len ? shapeIds[from] : 0;
                unreverse[at] = t < len ? from : at;
            }
        }
        Tensor x = chars.forward(ids, n, time).add(shapes.forward(shapeIds, n, time));            // (n, T, E)
        Tensor xr = chars.forward(revIds, n, time).add(shapes.forward(revShapes, n, time));       // (n, T, E)
        Tensor hf = sequence(forwardLstm, x);                                                     // (n, T, H)
        Tensor hbReversed = sequence(backwardLstm, xr).reshape(n * time, config.hidden());        // (nT, H)
        Tensor hb = dev.hearth.engine.ops.Embedding.lookup(hbReversed, unreverse, n, time);       // (n, T, H)
        return head.forward(Views.concat(List.of(hf, hb), 2));                                    // (n, T, tags)
    }

    /** The LSTM's outputs from a zero state, as {@link Lstm#forward} computes them, with the whole recurrence in one op. */
    private static Tensor sequence(Lstm lstm, Tensor x) {
        var p = lstm.parameters();
        Tensor gates = MatMul.linear(x, p.get("weight_ih_l0"), p.get("bias_ih_l0")).add(p.get("bias_hh_l0")); // (n, T, 4H)
        return Recurrent.lstmSequence(gates, p.get("weight_hh_l0"));
    }

    /** A read-only copy of the weights that tags one text at a time without autograd; see {@link Frozen}. */
    public Frozen frozen() {
        return new Frozen(this);
    }

    /**
     * The same computation as {@link TokenTagger#forward} for one text, on plain arrays: the fast
     * path inference uses. The input projection of every character and shape row is computed once
     * here ({@code W_ih e}), so each position costs one (4H × H) product per direction. Immutable
     * and safe to share between threads.
     */
    public static final class Frozen {
        private final int h;
        private final int tags;
        private final int vocab;
        private final float[] charGatesF;    // (vocab, 4H): W_ih e_char + b_ih + b_hh, forward direction
        private final float[] shapeGatesF;   // (SHAPES, 4H): W_ih e_shape
        private final float[] charGatesB;    // the same for the backward direction
        private final float[] shapeGatesB;
        private final float[] whhF;          // (4H, H)
        private final float[] whhB;          // (4H, H)
        private final float[] headW;         // (tags, 2H)
        private final float[] headB;         // (tags)

        private Frozen(TokenTagger m) {
            this.h = m.config.hidden();
            this.tags = m.config.tags();
            this.vocab = m.config.vocabSize();
            var pf = m.forwardLstm.parameters();
            var pb = m.backwardLstm.parameters();
            float[] ce = m.chars.weight().contiguous().toFloatArray();
            float[] se = m.shapes.weight().contiguous().toFloatArray();
            int e = m.config.embedDim();
            float[] wihF = pf.get("weight_ih_l0").contiguous().toFloatArray();
            float[] wihB = pb.get("weight_ih_l0").contiguous().toFloatArray();
            float[] biasF = sum(pf.get("bias_ih_l0").toFloatArray(), pf.get("bias_hh_l0").toFloatArray());
            float[] biasB = sum(pb.get("bias_ih_l0").toFloatArray(), pb.get("bias_hh_l0").toFloatArray());
            this.charGatesF = project(ce, vocab, e, wihF, biasF);
            this.charGatesB = project(ce, vocab, e, wihB, biasB);
            this.shapeGatesF = project(se, SHAPES, e, wihF, null);
            this.shapeGatesB = project(se, SHAPES, e, wihB, null);
            this.whhF = pf.get("weight_hh_l0").contiguous().toFloatArray();
            this.whhB = pb.get("weight_hh_l0").contiguous().toFloatArray();
            var ph = m.head.parameters();
            this.headW = ph.get("weight").contiguous().toFloatArray();
            this.headB = ph.get("bias").contiguous().toFloatArray();
        }

        private static float[] sum(float[] a, float[] b) {
            float[] out = a.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] += b[i];
            }
            return out;
        }

        /** rows (r, e) times w (4H, e) transposed, plus bias: (r, 4H). */
        private static float[] project(float[] rows, int r, int e, float[] w, float[] bias) {
            int g = w.length / e;
            float[] out = new float[r * g];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < g; j++) {
                    float s = bias == null ? 0 : bias[j];
                    for (int k = 0; k < e; k++) {
                        s += rows[i * e + k] * w[j * e + k];
                    }
                    out[i * g + j] = s;
                }
            }
            return out;
        }

        public int tags() {
            return tags;
        }

        /**
         * Tag probabilities (length × tags, row-major) for one text of {@code ids.length}
         * positions; {@code shapeIds} pairs with {@code ids}.
         */
        public float[] probabilities(int[] ids, int[] shapeIds) {
            int t = ids.length;
            if (shapeIds.length != t) {
                throw new ShapeException("token tagger: " + t + " ids but " + shapeIds.length + " shapes");
            }
            for (int i = 0; i < t; i++) {
                if (ids[i] < 0 || ids[i] >= vocab || shapeIds[i] < 0 || shapeIds[i] >= SHAPES) {
                    throw new HearthException("token tagger: id " + ids[i] + " / shape " + shapeIds[i] + " at position "
                            + i + " is outside the vocabulary (0.." + (vocab - 1) + ") or the shapes (0.." + (SHAPES - 1)
                            + ")");
                }
            }
            float[] states = new float[t * 2 * h];     // (T, 2H): forward | backward hidden state at each position
            run(ids, shapeIds, charGatesF, shapeGatesF, whhF, states, 0, false);
            run(ids, shapeIds, charGatesB, shapeGatesB, whhB, states, h, true);
            float[] out = new float[t * tags];
            for (int i = 0; i < t; i++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < tags; j++) {
                    float s = headB[j];
                    for (int k = 0; k < 2 * h; k++) {
                        s += headW[j * 2 * h + k] * states[i * 2 * h + k];
                    }
                    out[i * tags + j] = s;
                    max = Math.max(max, s);
                }
                float z = 0;
                for (int j = 0; j < tags; j++) {
                    float p = (float) Math.exp(out[i * tags + j] - max);
                    out[i * tags + j] = p;
                    z += p;
                }
                for (int j = 0; j < tags; j++) {
                    out[i * tags + j] /= z;
                }
            }
            return out;
        }

        /** One direction's LSTM over the text, writing each position's hidden state into states[pos * 2H + column]. */
        private void run(int[] ids, int[] shapeIds, float[] charGates, float[] shapeGates, float[] whh, float[] states,
                         int column, boolean reversed) {
            int t = ids.length;
            int g4 = 4 * h;
            float[] hs = new float[h];
            float[] cs = new float[h];
            float[] gates = new float[g4];
            for (int step = 0; step < t; step++) {
                int pos = reversed ? t - 1 - step : step;
                int ci = ids[pos] * g4;
                int si = shapeIds[pos] * g4;
                for (int j = 0; j < g4; j++) {
                    float s = charGates[ci + j] + shapeGates[si + j];
                    int row = j * h;
                    for (int k = 0; k < h; k++) {
                        s += whh[row + k] * hs[k];
                    }
                    gates[j] = s;
                }
                for (int j = 0; j < h; j++) {           // PyTorch's gate order: input, forget, cell, output
                    float in = sigmoid(gates[j]);
                    float forget = sigmoid(gates[h + j]);
                    float cell = (float) Math.tanh(gates[2 * h + j]);
                    float out = sigmoid(gates[3 * h + j]);
                    cs[j] = forget * cs[j] + in * cell;
                    hs[j] = out * (float) Math.tanh(cs[j]);
                }
                System.arraycopy(hs, 0, states, pos * 2 * h + column, h);
            }
        }

        private static float sigmoid(float x) {
            return (float) (1 / (1 + Math.exp(-x)));
        }
    }
}
