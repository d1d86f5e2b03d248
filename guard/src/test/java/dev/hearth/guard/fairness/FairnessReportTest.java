package dev.hearth.guard.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FairnessReportTest {
    // group A: labels 1 1 0 0, predictions 1 0 1 0 -> selection 0.5, TPR 0.5, FPR 0.5
    // group B: labels 1 0 0 0, predictions 1 0 0 0 -> selection 0.25, TPR 1, FPR 0
    private static final boolean[] Y = {true, true, false, false, true, false, false, false};
    private static final boolean[] P = {true, false, true, false, true, false, false, false};
    private static final String[] G = {"A", "A", "A", "A", "B", "B", "B", "B"};

    private static FairnessReport report(String privileged, int bootstrap) {
        return FairnessReport.of(Y, P, Map.of("g", G), privileged, new FairnessReport.Bootstrap(bootstrap, 7, 0.95));
    }

    @Test
    void fairlearnDefinitionsOnAHandWorkedExample() {
        FairnessReport r = report(null, 0);
        assertThat(r.groups().get("g").get("g=A").selectionRate()).isEqualTo(0.5);
        assertThat(r.groups().get("g").get("g=B").truePositiveRate()).isEqualTo(1.0);
        FairnessMetrics m = r.metrics();
        assertThat(m.demographicParityDifference()).isEqualTo(0.25);
        assertThat(m.demographicParityRatio()).isEqualTo(0.5);
        assertThat(m.equalizedOddsDifference()).isEqualTo(0.5);   // max(TPR gap 0.5, FPR gap 0.5)
        assertThat(m.equalizedOddsRatio()).isEqualTo(0.0);        // min(TPR 0.5/1, FPR 0/0.5)
        assertThat(m.disparateImpact()).isEqualTo(0.5);
        assertThat(r.overall().accuracy()).isEqualTo(6 / 8.0);
        assertThat(m.asMap()).containsOnlyKeys("demographic_parity_difference", "demographic_parity_ratio",
                "equalized_odds_difference", "equalized_odds_ratio", "disparate_impact");
    }

    @Test
    void disparateImpactIsAgainstThePrivilegedGroup() {
        assertThat(report("g=B", 0).metrics().disparateImpact()).isEqualTo(0.5 / 0.25);
        assertThat(report("g=A", 0).metrics().disparateImpact()).isEqualTo(0.25 / 0.5);
        assertThatThrownBy(() -> report("g=C", 0)).hasMessageContaining("'g=C' is not among the groups");
    }

    @Test
    void severalFeaturesGiveTheirIntersectionsAndEachAlone() {
        Map<String, String[]> f = new LinkedHashMap<>();
        f.put("g", G);
        f.put("h", new String[] {"x", "y", "x", "y", "x", "y", "x", "y"});
        FairnessReport r = FairnessReport.of(Y, P, f, null, new FairnessReport.Bootstrap(0, 1, 0.95));
        assertThat(r.groups()).containsOnlyKeys("g", "h", "g,h");
        assertThat(r.groups().get("g,h")).containsOnlyKeys("g=A, h=x", "g=A, h=y", "g=B, h=x", "g=B, h=y");
        assertThat(r.byFeature().get("g").demographicParityDifference()).isEqualTo(0.25);
        assertThat(r.metrics().demographicParityDifference()).isEqualTo(1.0); // g=A,h=x selects both; g=B,h=y none
    }

    @Test
    void bootstrapIntervalsAreSeededAndContainTheEstimate() {
        boolean[] y = new boolean[400];
        boolean[] p = new boolean[400];
        String[] g = new String[400];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            g[i] = i % 2 == 0 ? "a" : "b";
            y[i] = rng.nextDouble() < 0.4;
            p[i] = rng.nextDouble() < (g[i].equals("a") ? 0.6 : 0.3);
        }
        FairnessReport.Bootstrap b = new FairnessReport.Bootstrap(500, 9, 0.9);
        FairnessReport r1 = FairnessReport.of(y, p, Map.of("s", g), null, b);
        FairnessReport r2 = FairnessReport.of(y, p, Map.of("s", g), null, b);
        double[] iv = r1.intervals().get("demographic_parity_difference");
        assertThat(iv).containsExactly(r2.intervals().get("demographic_parity_difference"));
        assertThat(r1.metrics().demographicParityDifference()).isBetween(iv[0], iv[1]);
        assertThat(iv[1] - iv[0]).isBetween(0.05, 0.25);
        assertThat(FairnessReport.quantile(new double[] {0, 1, 2, 3}, 0.5)).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void oneGroupIsAnError() {
        assertThatThrownBy(() -> FairnessReport.of(Y, P, Map.of("g", new String[8]).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> new String[] {"A", "A", "A", "A", "A", "A",
                        "A", "A"})), null, new FairnessReport.Bootstrap(0, 1, 0.95)))
                .hasMessageContaining("only 1 (g=A)");
    }
}
