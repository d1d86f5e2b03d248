package dev.hearth.guard.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Occlusion (Zeiler and Fergus, 2014): each feature's attribution is how much the target score
 * drops when that feature alone takes its reference value. With overlapping features (sliding
 * windows over an image) spread the result to pixels with {@link FeatureGroups#spread}.
 */
public final class Occlusion {
    private Occlusion() {}

    public static Attribution explain(CoalitionModel model) {
        int d = model.featureNames().size();
        List<boolean[]> coalitions = new ArrayList<>(d + 1);
        boolean[] all = new boolean[d];
        Arrays.fill(all, true);
        coalitions.add(all);
        for (int f = 0; f < d; f++) {
            boolean[] c = all.clone();
            c[f] = false;
            coalitions.add(c);
        }
        double[] s = model.scores(coalitions);
        double[] drops = new double[d];
        for (int f = 0; f < d; f++) {
            drops[f] = s[0] - s[f + 1];
        }
        return new Attribution("occlusion", model.target(), model.featureNames(), drops, s[0], Double.NaN,
                Map.of("evaluations", (double) coalitions.size()));
    }
}
