package dev.hearth.lab.tune;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Every combination of the parameters' grid values (categorical choices, every int value by its
 * step, a float's {@code points} or {@code step}), in an order shuffled by the seed so a study cut
 * short still spreads over the grid. A combination already tried (or running) is not repeated;
 * when all are taken the sampler is exhausted and the study ends.
 */
public record GridSampler(long seed) implements Sampler {
    @Override
    public String name() {
        return "grid";
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, History history, int number) {
        List<List<Object>> values = new ArrayList<>();
        long size = 1;
        for (Param p : space.params()) {
            List<Object> v = SearchSpace.gridValues(p);
            values.add(v);
            size = Math.multiplyExact(size, v.size());
        }
        if (size > 1_000_000) {
            throw new TuneException("the grid has " + size + " combinations; narrow it or use the random or tpe sampler");
        }
        Set<List<Double>> taken = new HashSet<>();
        for (Trial t : history.trials()) {
            if (t.state() != TrialState.FAIL || t.error() == null || !t.error().startsWith("interrupted")) {
                taken.add(key(space, t.params()));
            }
        }
        int[] order = shuffled((int) size, new SplittableRandom(seed));
        for (int index : order) {
            Map<String, Object> combo = new LinkedHashMap<>();
            int rest = index;
            for (int i = 0; i < values.size(); i++) {
                List<Object> v = values.get(i);
                combo.put(space.params().get(i).name(), v.get(rest % v.size()));
                rest /= v.size();
            }
            if (!taken.contains(key(space, combo))) {
                return combo;
            }
        }
        throw new TuneException("the grid is exhausted: all combinations were tried");
    }

    @Override
    public boolean exhausted(SearchSpace space, History history) {
        long size = 1;
        for (Param p : space.params()) {
            size *= SearchSpace.gridValues(p).size();
        }
        Set<List<Double>> taken = new HashSet<>();
        for (Trial t : history.trials()) {
            if (t.state() != TrialState.FAIL || t.error() == null || !t.error().startsWith("interrupted")) {
                taken.add(key(space, t.params()));
            }
        }
        return taken.size() >= size;
    }

    private static List<Double> key(SearchSpace space, Map<String, Object> params) {
        List<Double> k = new ArrayList<>();
        for (Param p : space.params()) {
            Object v = params.get(p.name());
            k.add(v == null ? Double.NaN : (double) Math.round(p.toInternal(v) * 1e9) / 1e9);
        }
        return k;
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
