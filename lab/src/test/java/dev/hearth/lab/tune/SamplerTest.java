package dev.hearth.lab.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class SamplerTest {

    /** Branin on x in [-5, 10], y in [0, 15]; its minimum is 0.397887 at three points. */
    static final ToDoubleFunction<Map<String, Object>> BRANIN = p -> {
        double x = ((Number) p.get("x")).doubleValue();
        double y = ((Number) p.get("y")).doubleValue();
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        return Math.pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * Math.cos(x) + 10;
    };
    static final SearchSpace BRANIN_SPACE = Spaces.free("""
            x: {type: float, low: -5, high: 10}
            y: {type: float, low: 0, high: 15}
            """);

    private static double meanBest(LongFunction<Sampler> make, int seeds, int trials) {
        double sum = 0;
        for (int s = 0; s < seeds; s++) {
            sum += Spaces.best(Spaces.search(make.apply(100 + s), BRANIN_SPACE, trials, BRANIN));
        }
        return sum / seeds;
    }

    @Test
    void tpeAndGpBeatRandomSearchOnBraninOnAverage() {
        int seeds = 10;
        int trials = 40;
        double random = meanBest(RandomSampler::new, seeds, trials);
        double tpe = meanBest(TpeSampler::new, seeds, trials);
        double gp = meanBest(GpSampler::new, seeds, trials);
        System.out.printf("Branin, best of %d trials, mean over %d seeds: random %.4f, tpe %.4f, gp %.4f%n", trials,
                seeds, random, tpe, gp);
        assertThat(tpe).isLessThan(random);
        assertThat(gp).isLessThan(random);
        assertThat(gp).isLessThan(0.5); // the minimum is 0.398
    }

    @Test
    void tpeFindsTheGoodChoiceAndIntegerOfAMixedSpace() {
        SearchSpace space = Spaces.free("""
                lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
                layers: {type: int, low: 1, high: 8}
                act: {type: categorical, choices: [relu, gelu, tanh]}
                """);
        ToDoubleFunction<Map<String, Object>> f = p -> Math.pow(Math.log10((Double) p.get("lr")) + 3, 2)
                + Math.abs(((Number) p.get("layers")).longValue() - 5) + ("gelu".equals(p.get("act")) ? 0 : 2);
        double tpe = 0;
        double random = 0;
        for (int s = 0; s < 8; s++) {
            tpe += Spaces.best(Spaces.search(new TpeSampler(s), space, 40, f));
            random += Spaces.best(Spaces.search(new RandomSampler(s), space, 40, f));
        }
        assertThat(tpe).isLessThan(random);
        List<Trial> late = Spaces.search(new TpeSampler(3), space, 60, f).subList(40, 60);
        long gelu = late.stream().filter(t -> "gelu".equals(t.params().get("act"))).count();
        assertThat(gelu).as("TPE should mostly sample the good choice late in the study").isGreaterThan(10);
    }

    @Test
    void theSameSeedGivesTheSameTrialsAndAnotherSeedOthers() {
        for (LongFunction<Sampler> make : List.<LongFunction<Sampler>>of(RandomSampler::new, TpeSampler::new,
                GpSampler::new, GridSampler::new)) {
            SearchSpace space = make.apply(0) instanceof GridSampler ? Spaces.free("""
                    x: {type: float, low: -5, high: 10, points: 6}
                    y: {type: int, low: 0, high: 15, step: 3}
                    """) : BRANIN_SPACE;
            List<Map<String, Object>> a = Spaces.search(make.apply(7), space, 14, BRANIN).stream().map(Trial::params).toList();
            List<Map<String, Object>> b = Spaces.search(make.apply(7), space, 14, BRANIN).stream().map(Trial::params).toList();
            List<Map<String, Object>> c = Spaces.search(make.apply(8), space, 14, BRANIN).stream().map(Trial::params).toList();
            assertThat(a).as(make.apply(0).name()).isEqualTo(b).isNotEqualTo(c);
        }
    }

    @Test
    void valuesStayInTheirRangesStepsAndChoices() {
        SearchSpace space = Spaces.free("""
                f: {type: float, low: 0.1, high: 0.5, step: 0.1}
                l: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
                i: {type: int, low: 2, high: 11, step: 3}
                g: {type: int, low: 1, high: 1024, log: true}
                c: {type: categorical, choices: [a, 2, true]}
                """);
        for (Sampler s : List.of(new RandomSampler(1), new TpeSampler(1), new GpSampler(1))) {
            for (Trial t : Spaces.search(s, space, 30, p -> ((Number) p.get("i")).doubleValue())) {
                double f = (Double) t.params().get("f");
                assertThat(f).isBetween(0.1, 0.5);
                assertThat(Math.abs(f * 10 - Math.rint(f * 10))).isLessThan(1e-9);
                assertThat((Double) t.params().get("l")).isBetween(1e-4, 1e-1);
                assertThat((Long) t.params().get("i")).isIn(2L, 5L, 8L, 11L);
                assertThat((Long) t.params().get("g")).isBetween(1L, 1024L);
                assertThat(t.params().get("c")).isIn("a", 2L, true);
            }
        }
    }

    @Test
    void theGridTriesEveryCombinationOnceThenIsExhausted() {
        SearchSpace space = Spaces.free("""
                a: {type: categorical, choices: [x, y, z]}
                b: {type: int, low: 1, high: 4}
                c: {type: float, low: 1.0e-3, high: 1.0e-1, log: true, points: 3}
                """);
        GridSampler grid = new GridSampler(5);
        List<Trial> trials = Spaces.search(grid, space, 36, p -> 0);
        Set<Map<String, Object>> seen = new HashSet<>();
        trials.forEach(t -> seen.add(t.params()));
        assertThat(seen).hasSize(36);
        assertThat(trials.stream().map(t -> (Double) t.params().get("c")).distinct().sorted().toList())
                .satisfies(cs -> {
                    assertThat(cs.get(0)).isCloseTo(1e-3, org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(cs.get(1)).isCloseTo(1e-2, org.assertj.core.data.Offset.offset(1e-12));
                });
        assertThat(grid.exhausted(space, new History(trials, false))).isTrue();
        assertThatThrownBy(() -> grid.sample(space, new History(trials, false), 36)).hasMessageContaining("exhausted");
        assertThatThrownBy(() -> grid.sample(BRANIN_SPACE, new History(List.of(), false), 0))
                .isInstanceOf(TuneException.class).hasMessageContaining("'x'").hasMessageContaining("points");
    }

    @Test
    void tpeWeightsFollowOptunasDefaults() {
        assertThat(TpeSampler.weights(3)).containsExactly(1, 1, 1);
        double[] w = TpeSampler.weights(30);
        assertThat(w[0]).isCloseTo(1.0 / 30, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(w[4]).isEqualTo(1.0);
        assertThat(w[29]).isEqualTo(1.0);
    }
}
