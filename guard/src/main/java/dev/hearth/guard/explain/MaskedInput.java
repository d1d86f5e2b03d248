package dev.hearth.guard.explain;

import java.util.List;

/**
 * A {@link CoalitionModel} over a flat input: a present feature keeps the input's values at its
 * positions, an absent one takes each background row's values there, and the score of a coalition
 * is the background-weighted mean of the target's score. Rows go through the model
 * {@code batch} at a time.
 */
public final class MaskedInput implements CoalitionModel {
    private final ScoreModel model;
    private final float[] input;
    private final FeatureGroups features;
    private final Background background;
    private final int target;
    private final int batch;

    public MaskedInput(ScoreModel model, float[] input, FeatureGroups features, Background background, int target,
                       int batch) {
        Saliency.checkInput(input, features);
        if (background.width() != input.length) {
            throw new ExplainException("background rows have " + background.width() + " values for an input of "
                    + input.length);
        }
        if (batch < 1) {
            throw new ExplainException("the batch must be at least 1, not " + batch);
        }
        this.model = model;
        this.input = input.clone();
        this.features = features;
        this.background = background;
        this.target = target;
        this.batch = batch;
    }

    public MaskedInput(ScoreModel model, float[] input, FeatureGroups features, Background background, int target) {
        this(model, input, features, background, target, 256);
    }

    @Override
    public List<String> featureNames() {
        return features.names();
    }

    @Override
    public int target() {
        return target;
    }

    @Override
    public double[] scores(List<boolean[]> coalitions) {
        int d = input.length;
        float[][] refs = background.rows();
        double[] w = background.weights();
        double totalWeight = 0;
        for (double x : w) {
            totalWeight += x;
        }
        long rows = (long) coalitions.size() * refs.length;
        double[] out = new double[coalitions.size()];
        float[] chunk = new float[(int) Math.min(rows, batch) * d];
        int filled = 0;
        int[] owner = new int[(int) Math.min(rows, batch)];
        int[] ref = new int[owner.length];
        for (int c = 0; c < coalitions.size(); c++) {
            boolean[] coalition = coalitions.get(c);
            if (coalition.length != features.count()) {
                throw new ExplainException("a coalition of " + coalition.length + " flags for " + features.count()
                        + " features");
            }
            boolean[] present = features.presentPositions(coalition);
            for (int r = 0; r < refs.length; r++) {
                int base = filled * d;
                for (int i = 0; i < d; i++) {
                    chunk[base + i] = present[i] ? input[i] : refs[r][i];
                }
                owner[filled] = c;
                ref[filled] = r;
                if (++filled == owner.length) {
                    flush(chunk, filled, owner, ref, w, out);
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            flush(java.util.Arrays.copyOf(chunk, filled * d), filled, owner, ref, w, out);
        }
        for (int c = 0; c < out.length; c++) {
            out[c] /= totalWeight;
        }
        return out;
    }

    private void flush(float[] chunk, int n, int[] owner, int[] ref, double[] w, double[] out) {
        double[] s = InputGradients.scores(model, chunk, n, input.length, target);
        for (int k = 0; k < n; k++) {
            out[owner[k]] += w[ref[k]] * s[k];
        }
    }
}
