package dev.hearth.guard.explain;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A transformer read through one sequence of tokens, explained one output at a time: gradient
 * methods see the tokens' embeddings (time x dim values, one feature per token), perturbation
 * methods see the tokens, a missing one replaced by a chosen token id. Subclasses say what the
 * outputs are: the next token's log-probabilities, or a classifier's class log-probabilities.
 */
public abstract class TokenInputs {
    protected final LanguageModel model;
    protected final int[] ids;
    private final List<String> tokens;
    private final int dim;

    /**
     * @param model  the transformer whose token embeddings are attributed to
     * @param ids    the sequence's token ids
     * @param tokens a display name for each (the decoded token)
     */
    protected TokenInputs(LanguageModel model, int[] ids, List<String> tokens) {
        if (ids.length == 0) {
            throw new ExplainException("the text has no tokens; give a text to explain");
        }
        if (tokens.size() != ids.length) {
            throw new ExplainException(tokens.size() + " token names for " + ids.length + " tokens");
        }
        if (ids.length > model.contextLength()) {
            throw new ExplainException("the text has " + ids.length + " tokens but the model reads at most "
                    + model.contextLength() + "; shorten it");
        }
        this.model = model;
        this.ids = ids.clone();
        this.tokens = List.copyOf(tokens);
        this.dim = model.width();
    }

    /** Outputs (n, outputs) for n copies of the sequence given by their token embeddings (n, time, dim). */
    protected abstract Tensor scoresFromEmbeddings(Tensor embeddings);

    /** Outputs (n, outputs) for n sequences of ids (n x time). */
    protected abstract Tensor scoresFromIds(int[] ids, int n, int time);

    /** How many outputs there are (the vocabulary, the classes). */
    protected abstract int outputs();

    /** The outputs for the sequence as it is. */
    public double[] scores() {
        try (Autograd.Scope s = Autograd.noGrad()) {
            Tensor out = scoresFromIds(ids, 1, ids.length);
            double[] v = new double[out.dim(1)];
            for (int k = 0; k < v.length; k++) {
                v[k] = out.get(0, k);
            }
            return v;
        }
    }

    /** One feature per token, over its embedding's dimensions. */
    public FeatureGroups features() {
        return FeatureGroups.blocks(tokens, dim);
    }

    /** The token embeddings, flat (time x dim): the input the gradient methods attribute over. */
    public float[] embeddingInput() {
        try (Autograd.Scope s = Autograd.noGrad()) {
            return model.tokenEmbeddings(ids, 1, ids.length).contiguous().toFloatArray();
        }
    }

    /**
     * The reference for gradient methods: every position holding {@code replacement}'s embedding,
     * the same stand-in the perturbation methods use. (An all-zero embedding is a poor reference:
     * RMSNorm and LayerNorm divide by the input's size, so gradients explode near zero and the
     * path integral needs far more steps.)
     */
    public float[] baselineInput(int replacement) {
        checkToken("replacement", replacement);
        int[] same = new int[ids.length];
        java.util.Arrays.fill(same, replacement);
        try (Autograd.Scope s = Autograd.noGrad()) {
            return model.tokenEmbeddings(same, 1, same.length).contiguous().toFloatArray();
        }
    }

    /** Flat token embeddings (n, time x dim) to the outputs (n, outputs). */
    public ScoreModel embeddingScores() {
        int time = ids.length;
        return inputs -> scoresFromEmbeddings(inputs.reshape(inputs.dim(0), time, dim));
    }

    /** Tokens switched off by replacing them with {@code replacement}, scored by output {@code target}. */
    public CoalitionModel replacingTokens(int replacement, int target) {
        checkToken("replacement", replacement);
        if (target < 0 || target >= outputs()) {
            throw new ExplainException("target " + target + " is outside the model's " + outputs() + " outputs");
        }
        return new CoalitionModel() {
            @Override
            public List<String> featureNames() {
                return tokens;
            }

            @Override
            public int target() {
                return target;
            }

            @Override
            public double[] scores(List<boolean[]> coalitions) {
                int t = ids.length;
                int batch = Math.max(1, Math.min(32, 4096 / t));
                double[] out = new double[coalitions.size()];
                for (int from = 0; from < coalitions.size(); from += batch) {
                    int n = Math.min(batch, coalitions.size() - from);
                    int[] rows = new int[n * t];
                    for (int k = 0; k < n; k++) {
                        boolean[] c = coalitions.get(from + k);
                        if (c.length != t) {
                            throw new ExplainException("a coalition of " + c.length + " flags for " + t + " tokens");
                        }
                        for (int i = 0; i < t; i++) {
                            rows[k * t + i] = c[i] ? ids[i] : replacement;
                        }
                    }
                    try (Autograd.Scope s = Autograd.noGrad()) {
                        Tensor lp = scoresFromIds(rows, n, t);
                        for (int k = 0; k < n; k++) {
                            out[from + k] = lp.get(k, target);
                        }
                    }
                }
                return out;
            }
        };
    }

    /** The attention probabilities of each layer, (heads, time, time) each. */
    public List<float[][][]> attention() {
        List<float[][][]> maps = new ArrayList<>();
        for (Tensor layer : model.attentionMaps(ids)) {
            int heads = layer.dim(0);
            int t = layer.dim(1);
            float[][][] m = new float[heads][t][t];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        m[h][i][j] = layer.get(h, i, j);
                    }
                }
            }
            maps.add(m);
        }
        return maps;
    }

    public List<String> tokens() {
        return tokens;
    }

    private void checkToken(String role, int id) {
        if (id < 0 || id >= model.vocabSize()) {
            throw new ExplainException(role + " token " + id + " is outside the vocabulary (0.." + (model.vocabSize() - 1)
                    + ")");
        }
    }
}
