package dev.hearth.guard.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MitigationTest {

    /** Two groups: "a" has more positives and higher scores for them than "b". */
    record Data(double[] score, boolean[] label, String[] group) {}

    static Data data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        String[] g = new String[n];
        for (int i = 0; i < n; i++) {
            boolean a = r.nextDouble() < 0.6;
            g[i] = a ? "a" : "b";
            y[i] = r.nextDouble() < (a ? 0.4 : 0.15);
            double z = r.nextGaussian() + (y[i] ? (a ? 2.0 : 1.0) : 0) + (a ? 0.3 : 0);
            s[i] = 1 / (1 + Math.exp(-z));
        }
        return new Data(s, y, g);
    }

    private static double[] rates(double[] p, Data d, String group) {
        double sel = 0, tp = 0, fp = 0, n = 0, pos = 0, neg = 0;
        for (int i = 0; i < p.length; i++) {
            if (!d.group()[i].equals(group)) {
                continue;
            }
            n++;
            sel += p[i];
            if (d.label()[i]) {
                pos++;
                tp += p[i];
            } else {
                neg++;
                fp += p[i];
            }
        }
        return new double[] {sel / n, tp / pos, fp / neg};
    }

    @Test
    void demographicParityEqualisesExpectedSelectionRatesOnTheFittingData() {
        Data d = data(4000, 1);
        var f = ThresholdOptimizer.fit(d.score(), d.label(), d.group(), ThresholdOptimizer.Constraint.DEMOGRAPHIC_PARITY, 1000);
        double[] p = f.positiveProbabilities(d.score(), d.group());
        double[] a = rates(p, d, "a");
        double[] b = rates(p, d, "b");
        assertThat(a[0]).isCloseTo(f.rate(), within(1e-9));
        assertThat(b[0]).isCloseTo(f.rate(), within(1e-9));
        assertThat(f.rules().get("a").truePositiveRate()).isCloseTo(a[1], within(1e-9));
        double expectedAccuracy = 0;
        for (int i = 0; i < p.length; i++) {
            expectedAccuracy += d.label()[i] ? p[i] : 1 - p[i];
        }
        assertThat(expectedAccuracy / p.length).isCloseTo(f.fitAccuracy(), within(1e-9));
    }

    @Test
    void equalizedOddsEqualisesBothRatesAndBeatsTheWorstSingleThreshold() {
        Data d = data(4000, 2);
        var f = ThresholdOptimizer.fit(d.score(), d.label(), d.group(), ThresholdOptimizer.Constraint.EQUALIZED_ODDS, 1000);
        double[] p = f.positiveProbabilities(d.score(), d.group());
        double[] a = rates(p, d, "a");
        double[] b = rates(p, d, "b");
        assertThat(a[1]).isCloseTo(b[1], within(1e-9));
        assertThat(a[2]).isCloseTo(b[2], within(1e-9));
        assertThat(a[2]).isCloseTo(f.rate(), within(1e-9));
        // better than predicting the majority class for everybody
        long negatives = 0;
        for (boolean y : d.label()) {
            negatives += y ? 0 : 1;
        }
        assertThat(f.fitAccuracy()).isGreaterThan((double) negatives / d.label().length);
    }

    @Test
    void predictionsAreSeededAndFollowTheProbabilities() {
        Data d = data(20000, 3);
        var f = ThresholdOptimizer.fit(d.score(), d.label(), d.group(), ThresholdOptimizer.Constraint.EQUALIZED_ODDS, 200);
        boolean[] x = f.predict(d.score(), d.group(), 9);
        assertThat(f.predict(d.score(), d.group(), 9)).isEqualTo(x);
        double[] p = f.positiveProbabilities(d.score(), d.group());
        double expected = 0, got = 0;
        for (int i = 0; i < x.length; i++) {
            expected += p[i];
            got += x[i] ? 1 : 0;
        }
        assertThat(got / x.length).isCloseTo(expected / x.length, within(0.01));
    }

    @Test
    void badInputIsNamed() {
        Data d = data(300, 4);
        assertThatThrownBy(() -> ThresholdOptimizer.fit(d.score(), new boolean[3], d.group(),
                ThresholdOptimizer.Constraint.DEMOGRAPHIC_PARITY, 100)).isInstanceOf(FairnessException.class)
                .hasMessageContaining("300 scores, 3 labels");
        String[] one = new String[300];
        java.util.Arrays.fill(one, "a");
        assertThatThrownBy(() -> ThresholdOptimizer.fit(d.score(), d.label(), one,
                ThresholdOptimizer.Constraint.DEMOGRAPHIC_PARITY, 100)).hasMessageContaining("one group");
        String[] g = d.group().clone();
        boolean[] y = d.label().clone();
        g[0] = "c";
        y[0] = false;
        assertThatThrownBy(() -> ThresholdOptimizer.fit(d.score(), y, g, ThresholdOptimizer.Constraint.EQUALIZED_ODDS, 100))
                .hasMessageContaining("group 'c' has no positive label among its 1 rows");
        var f = ThresholdOptimizer.fit(d.score(), d.label(), d.group(), ThresholdOptimizer.Constraint.DEMOGRAPHIC_PARITY, 100);
        assertThatThrownBy(() -> f.predict(new double[] {0.5}, new String[] {"z"}, 1))
                .hasMessageContaining("row 1 is in the group 'z', which had no member");
        assertThatThrownBy(() -> f.predict(new double[] {0.5, 0.2}, new String[] {"a"}, 1))
                .hasMessageContaining("2 scores but 1 group values");
    }

    @Test
    void reweighingMakesLabelIndependentOfGroup() {
        Data d = data(1000, 5);
        int[] y = new int[1000];
        for (int i = 0; i < y.length; i++) {
            y[i] = d.label()[i] ? 1 : 0;
        }
        Reweighing r = Reweighing.of(d.group(), y);
        double total = 0, pos = 0;
        double[] gw = new double[2];
        double[] gp = new double[2];
        for (int i = 0; i < y.length; i++) {
            total += r.weights()[i];
            pos += y[i];
            int k = d.group()[i].equals("a") ? 0 : 1;
            gw[k] += r.weights()[i];
            gp[k] += r.weights()[i] * y[i];
        }
        assertThat(total).isCloseTo(1000, within(1e-9));
        assertThat(gp[0] / gw[0]).isCloseTo(pos / 1000, within(1e-12));
        assertThat(gp[1] / gw[1]).isCloseTo(pos / 1000, within(1e-12));
        // a cell's weight is P(g) P(y) / P(g, y): explicitly for (b, 1)
        long nb = 0, nb1 = 0;
        for (int i = 0; i < y.length; i++) {
            if (d.group()[i].equals("b")) {
                nb++;
                nb1 += y[i];
            }
        }
        assertThat(r.cells().get("b | 1")).isCloseTo((nb / 1000.0) * (pos / 1000) / (nb1 / 1000.0), within(1e-12));
        assertThatThrownBy(() -> Reweighing.of(new String[] {"a"}, new int[] {0, 1})).hasMessageContaining("1 group values but 2 labels");
    }
}
