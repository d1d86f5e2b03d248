package dev.hearth.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.tensor.Rng;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final double NEG = Double.NEGATIVE_INFINITY;

    private static SamplingParams sampling() {
        return SamplingParams.greedy(10).withTemperature(1);
    }

    private static BitSet seen(int... ids) {
        BitSet b = new BitSet();
        for (int i : ids) {
            b.set(i);
        }
        return b;
    }

    private static float[] logProbs(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = (float) Math.log(p[i]);
        }
        return l;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        float[] logits = {2.0f, -1.0f, 1.5f, 0.5f};
        Sampler s = new Sampler(sampling().withRepetitionPenalty(2));
        assertThat(s.scores(logits, 0, 4, seen(0, 1))).containsExactly(1.0, -2.0, 1.5, 0.5);
        // greedy: token 0 would win, but it is penalised below token 2
        assertThat(new Sampler(SamplingParams.greedy(1)).next(logits, 0, 4, seen(0, 1), null)).isZero();
        assertThat(new Sampler(SamplingParams.greedy(1).withRepetitionPenalty(2)).next(logits, 0, 4, seen(0, 1), null))
                .isEqualTo(2);
        // a penalty below 1 encourages repetition
        Sampler reward = new Sampler(sampling().withRepetitionPenalty(0.5));
        assertThat(reward.scores(logits, 0, 4, seen(3))).containsExactly(2.0, -1.0, 1.5, 1.0);
    }

    @Test
    void temperatureDividesTheScoresAfterThePenalty() {
        float[] logits = {2.0f, -1.0f, 1.0f};
        Sampler s = new Sampler(sampling().withTemperature(0.5).withRepetitionPenalty(2));
        assertThat(s.scores(logits, 0, 3, seen(0))).containsExactly(2.0, -2.0, 2.0);
        Sampler offset = new Sampler(sampling().withTemperature(2));
        float[] padded = {9, 9, 2.0f, -1.0f, 1.0f};
        assertThat(offset.scores(padded, 2, 3, null)).containsExactly(1.0, -0.5, 0.5);
    }

    @Test
    void topKKeepsTheKHighestAndTiesWithTheKth() {
        float[] logits = {0.1f, 3f, 2f, 2f, -1f, 5f};
        assertThat(new Sampler(sampling().withTopK(2)).scores(logits, 0, 6, null))
                .containsExactly(NEG, 3.0, NEG, NEG, NEG, 5.0);
        assertThat(new Sampler(sampling().withTopK(3)).scores(logits, 0, 6, null))
                .containsExactly(NEG, 3.0, 2.0, 2.0, NEG, 5.0);
        assertThat(new Sampler(sampling().withTopK(6)).scores(logits, 0, 6, null)).doesNotContain(NEG);
        assertThat(new Sampler(sampling().withTopK(100)).scores(logits, 0, 6, null)).doesNotContain(NEG);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] logits = logProbs(0.15, 0.5, 0.05, 0.3);
        assertThat(kept(logits, 0.45)).containsExactly(1);
        assertThat(kept(logits, 0.75)).containsExactly(1, 3);
        assertThat(kept(logits, 0.85)).containsExactly(0, 1, 3);
        assertThat(kept(logits, 0.99)).containsExactly(0, 1, 2, 3);
        assertThat(kept(logits, 1e-9)).containsExactly(1);        // always at least one token
    }

    @Test
    void topPComesAfterTemperatureAndTopK() {
        float[] logits = logProbs(0.15, 0.5, 0.05, 0.3);
        // a high temperature flattens the distribution: 0.75 then needs three tokens
        Sampler hot = new Sampler(sampling().withTemperature(5).withTopP(0.75));
        assertThat(keptIds(hot.scores(logits, 0, 4, null))).containsExactly(0, 1, 3);
        // top-k 2 first renormalises over {1, 3}: 0.5 / 0.8 = 0.625 already reaches 0.6
        Sampler k2 = new Sampler(sampling().withTopK(2).withTopP(0.6));
        assertThat(keptIds(k2.scores(logits, 0, 4, null))).containsExactly(1);
    }

    @Test
    void topPBreaksTiesByTheLowerId() {
        float[] logits = {1f, 1f, 1f, 1f};
        assertThat(kept(logits, 0.5)).containsExactly(0, 1);
        assertThat(kept(logits, 0.3)).containsExactly(0, 1);
        assertThat(kept(logits, 0.2)).containsExactly(0);
    }

    @Test
    void topPOnALargeFlatVocabularyStillKeepsTheRightSet() {
        int v = 5000;
        float[] logits = new float[v];
        Rng rng = new Rng(3);
        for (int i = 0; i < v; i++) {
            logits[i] = (float) rng.nextGaussian();
        }
        double p = 0.9;
        double[] scores = new Sampler(sampling().withTopP(p)).scores(logits, 0, v, null);
        // naive: sort all by probability, take until the sum reaches p
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l - max);
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]) != 0
                ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        BitSet expect = new BitSet();
        double cum = 0;
        for (int i : order) {
            expect.set(i);
            cum += Math.exp(logits[i] - max) / z;
            if (cum >= p) {
                break;
            }
        }
        BitSet got = new BitSet();
        for (int i = 0; i < v; i++) {
            if (scores[i] != NEG) {
                got.set(i);
            }
        }
        assertThat(got).isEqualTo(expect);
    }

    @Test
    void drawsFollowTheSoftmax() {
        float[] logits = logProbs(0.1, 0.6, 0.3);
        Sampler s = new Sampler(sampling());
        Rng rng = new Rng(5);
        int[] counts = new int[3];
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            counts[s.next(logits, 0, 3, null, rng)]++;
        }
        assertThat(counts[0] / (double) n).isCloseTo(0.1, within(0.01));
        assertThat(counts[1] / (double) n).isCloseTo(0.6, within(0.01));
        assertThat(counts[2] / (double) n).isCloseTo(0.3, within(0.01));
        // removed tokens are never drawn
        Sampler k1 = new Sampler(sampling().withTopK(1));
        for (int i = 0; i < 1000; i++) {
            assertThat(k1.next(logits, 0, 3, null, rng)).isEqualTo(1);
        }
    }

    @Test
    void aDrawIsTheTokenWhereTheRunningSumInIdOrderPassesTheDrawnFraction() {
        // the definition, walked token by token, against the sampler's running sums and bisection:
        // vocabularies not a multiple of a vector, removed tokens (top-k), ties, and flat scores
        java.util.Random r = new java.util.Random(11);
        for (int vocab : new int[] {1, 3, 17, 1024, 1027}) {
            for (int topK : new int[] {0, 1, 5}) {
                Sampler sampler = new Sampler(sampling().withTemperature(0.8).withTopK(topK));
                float[] logits = new float[vocab];
                for (int i = 0; i < vocab; i++) {
                    logits[i] = i % 7 == 2 ? 1.5f : (float) (r.nextGaussian() * (vocab % 2 == 0 ? 3 : 0.01));
                }
                Rng rng = new Rng(vocab * 31L + topK);
                for (int d = 0; d < 300; d++) {
                    double[] scores = sampler.scores(logits, 0, vocab, null);
                    Rng copy = rng.copy();
                    int got = sampler.next(logits, 0, vocab, null, rng);
                    double max = java.util.Arrays.stream(scores).max().orElseThrow();
                    double[] e = new double[vocab];
                    Sampler.expShifted(scores, vocab, max, e);
                    double z = 0;
                    for (double x : e) {
                        z += x;
                    }
                    double u = copy.nextDouble() * z;
                    double cum = 0;
                    int want = -1;
                    for (int i = 0; i < vocab; i++) {
                        if (scores[i] == NEG) {
                            continue;
                        }
                        cum += e[i];
                        want = i;
                        if (u < cum) {
                            break;
                        }
                    }
                    assertThat(got).as("vocabulary %d, top-k %d, draw %d", vocab, topK, d).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void aNaNLogitIsNamedWhereverItIs() {
        for (int at : new int[] {0, 5, 8, 1023, 1026}) {
            float[] logits = new float[1027];
            logits[at] = Float.NaN;
            assertThatThrownBy(() -> new Sampler(sampling()).next(logits, 0, 1027, null, new Rng(1)))
                    .hasMessageContaining("NaN logit for token " + at + ";");
        }
    }

    @Test
    void theSameRngStateGivesTheSameToken() {
        float[] logits = logProbs(0.2, 0.2, 0.2, 0.2, 0.2);
        Sampler s = new Sampler(sampling());
        Rng a = new Rng(9);
        Rng b = new Rng(9);
        for (int i = 0; i < 100; i++) {
            assertThat(s.next(logits, 0, 5, null, a)).isEqualTo(s.next(logits, 0, 5, null, b));
        }
    }

    @Test
    void greedyTakesTheLowestIdAmongEqualScoresAndRejectsNaN() {
        Sampler g = new Sampler(SamplingParams.greedy(1));
        assertThat(g.next(new float[] {1, 3, 3, 2}, 0, 4, null, null)).isEqualTo(1);
        assertThatThrownBy(() -> g.next(new float[] {1, Float.NaN}, 0, 2, null, null))
                .isInstanceOf(GenerationException.class).hasMessageContaining("NaN logit for token 1");
        Sampler s = new Sampler(sampling());
        assertThatThrownBy(() -> s.next(new float[] {Float.NaN, 1}, 0, 2, null, new Rng(1)))
                .isInstanceOf(GenerationException.class);
    }

    @Test
    void settingsOutOfRangeAreExplained() {
        SamplingParams g = SamplingParams.greedy(1);
        assertThatThrownBy(() -> g.withTemperature(-1)).isInstanceOf(GenerationException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> g.withTopK(-1)).hasMessageContaining("top-k");
        assertThatThrownBy(() -> g.withTopP(0)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> g.withTopP(1.5)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> g.withRepetitionPenalty(0)).hasMessageContaining("repetition penalty");
        assertThatThrownBy(() -> g.withMaxNewTokens(-1)).hasMessageContaining("new tokens");
        assertThatThrownBy(() -> g.withStopSequences(List.of(""))).hasMessageContaining("stop sequence is empty");
    }

    @Test
    void theModelsDefaultsBecomeSettings() {
        GenerationConfig c = new GenerationConfig(1, List.of(2, 3), true, 0.7, 40, 0.9, 1.1, 99);
        SamplingParams p = SamplingParams.from(c, 5);
        assertThat(p).isEqualTo(new SamplingParams(0.7, 40, 0.9, 1.1, 99, List.of(), List.of(2, 3), 5));
        GenerationConfig greedy = new GenerationConfig(1, List.of(2), false, 0.7, 40, 0.9, 1.0, 99);
        assertThat(SamplingParams.from(greedy, 5).isGreedy()).isTrue();
    }

    private static List<Integer> kept(float[] logits, double p) {
        return keptIds(new Sampler(sampling().withTopP(p)).scores(logits, 0, logits.length, null));
    }

    private static List<Integer> keptIds(double[] scores) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] != NEG) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void theSoftmaxExponentialsAreWithinAnUlpOfMathExpAndZeroForRemovedTokens() {
        double[] s = new double[1027];                         // not a multiple of any vector width
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < s.length; i++) {
            s[i] = i % 10 == 3 ? NEG : r.nextGaussian() * 20;
        }
        double max = java.util.Arrays.stream(s).max().orElseThrow();
        double[] e = new double[s.length];
        Sampler.expShifted(s, s.length, max, e);
        for (int i = 0; i < s.length; i++) {
            double want = s[i] == NEG ? 0 : Math.exp(s[i] - max);
            assertThat(e[i]).as("token " + i).isCloseTo(want, org.assertj.core.api.Assertions.within(Math.ulp(want)));
        }
        double[] none = {NEG, NEG, NEG};
        double[] zeros = {1, 1, 1};
        Sampler.expShifted(none, 3, NEG, zeros);
        assertThat(zeros).containsExactly(0, 0, 0);
    }
}
