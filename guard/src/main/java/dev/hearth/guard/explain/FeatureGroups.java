package dev.hearth.guard.explain;

import java.util.Arrays;
import java.util.List;

/**
 * The features an explanation speaks of, each a set of positions of the flat model input: one
 * tabular column (its one-hot positions), one token (its embedding's dimensions), one pixel or
 * one image patch. Groups may overlap (sliding occlusion windows) and need not cover the input.
 *
 * @param names   one name per feature
 * @param members for each feature, the input positions it covers
 * @param width   the length of the flat input
 */
public record FeatureGroups(List<String> names, int[][] members, int width) {

    public FeatureGroups {
        names = List.copyOf(names);
        if (names.size() != members.length) {
            throw new ExplainException(names.size() + " feature names were given for " + members.length + " groups");
        }
        if (members.length == 0) {
            throw new ExplainException("there are no features to explain");
        }
        members = members.clone();
        for (int g = 0; g < members.length; g++) {
            if (members[g].length == 0) {
                throw new ExplainException("feature '" + names.get(g) + "' covers no input position");
            }
            members[g] = members[g].clone();
            for (int i : members[g]) {
                if (i < 0 || i >= width) {
                    throw new ExplainException("feature '" + names.get(g) + "' covers position " + i
                            + ", outside the input's " + width + " positions");
                }
            }
        }
    }

    /** One feature per input position. */
    public static FeatureGroups each(List<String> names) {
        int[][] m = new int[names.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new int[] {i};
        }
        return new FeatureGroups(names, m, names.size());
    }

    /** {@code count} consecutive blocks of {@code size} positions: a token's embedding, say. */
    public static FeatureGroups blocks(List<String> names, int size) {
        int[][] m = new int[names.size()][size];
        for (int g = 0; g < m.length; g++) {
            for (int j = 0; j < size; j++) {
                m[g][j] = g * size + j;
            }
        }
        return new FeatureGroups(names, m, names.size() * size);
    }

    /**
     * Square patches of {@code patch} pixels (the last ones smaller) over an image of
     * {@code height x width} laid out row-major, moved by {@code stride}: with stride = patch they
     * tile the image (LIME's and SHAP's superpixels); smaller strides overlap (occlusion).
     */
    public static FeatureGroups patches(int height, int width, int patch, int stride) {
        if (patch < 1 || stride < 1) {
            throw new ExplainException("patch size and stride must be at least 1, not " + patch + " and " + stride);
        }
        List<String> names = new java.util.ArrayList<>();
        List<int[]> members = new java.util.ArrayList<>();
        for (int r = 0; r < height; r += stride) {
            for (int c = 0; c < width; c += stride) {
                int h = Math.min(patch, height - r);
                int w = Math.min(patch, width - c);
                int[] m = new int[h * w];
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        m[i * w + j] = (r + i) * width + c + j;
                    }
                }
                names.add("(" + r + "," + c + ")");
                members.add(m);
                if (c + patch >= width) {
                    break;
                }
            }
            if (r + patch >= height) {
                break;
            }
        }
        return new FeatureGroups(names, members.toArray(int[][]::new), height * width);
    }

    public int count() {
        return members.length;
    }

    /** Per-feature sums of per-position values (gradients times inputs, say). */
    public double[] sum(double[] perPosition) {
        double[] out = new double[members.length];
        for (int g = 0; g < members.length; g++) {
            for (int i : members[g]) {
                out[g] += perPosition[i];
            }
        }
        return out;
    }

    /**
     * Per-position values from per-feature ones: each position gets the mean over the features
     * covering it (as Captum spreads overlapping occlusion windows), zero where none does.
     */
    public double[] spread(double[] perFeature) {
        double[] total = new double[width];
        int[] count = new int[width];
        for (int g = 0; g < members.length; g++) {
            for (int i : members[g]) {
                total[i] += perFeature[g];
                count[i]++;
            }
        }
        for (int i = 0; i < width; i++) {
            total[i] = count[i] == 0 ? 0 : total[i] / count[i];
        }
        return total;
    }

    /** Which input positions stay when only the features marked present do. */
    boolean[] presentPositions(boolean[] coalition) {
        boolean[] present = new boolean[width];
        Arrays.fill(present, true);
        for (int g = 0; g < members.length; g++) {
            if (!coalition[g]) {
                for (int i : members[g]) {
                    present[i] = false;
                }
            }
        }
        return present;
    }
}
