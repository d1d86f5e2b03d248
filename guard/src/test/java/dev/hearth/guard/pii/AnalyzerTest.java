package dev.hearth.guard.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzerTest {
    @Test
    void overlapsGoToTheHigherScoreThenTheLongerSpan() {
        Finding a = new Finding(EntityType.PHONE_NUMBER, 0, 10, 0.6, "a");
        Finding b = new Finding(EntityType.US_SSN, 2, 8, 0.9, "b");
        Finding c = new Finding(EntityType.DATE_TIME, 12, 20, 0.7, "c");
        Finding d = new Finding(EntityType.PHONE_NUMBER, 12, 24, 0.7, "d");
        assertThat(PiiAnalyzer.resolveOverlaps(List.of(a, b, c, d))).containsExactly(b, d);
    }

    @Test
    void offsetsCountCodePoints() {
        String text = "😀😀 mail ann@example.com";
        List<LabeledText.Span> spans = LabeledText.spans(text, PiiAnalyzer.builder().build().analyze(text));
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.start()).isEqualTo(8);
            assertThat(s.end()).isEqualTo(23);
        });
        assertThat(CodePoints.toCharIndex(text, 8)).isEqualTo(10);
    }

    @Test
    void typesAndThresholdFilter() {
        String text = "Call John Smith on +44 20 7946 0958";
        assertThat(PiiAnalyzer.builder().types(List.of(EntityType.PHONE_NUMBER)).build().analyze(text))
                .extracting(Finding::type).containsExactly(EntityType.PHONE_NUMBER);
        assertThat(PiiAnalyzer.builder().threshold(0.95).build().analyze("John Smith, +44 20 7946 0958")).isEmpty();
        assertThatThrownBy(() -> PiiAnalyzer.builder().threshold(1.5)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> EntityType.parse("PASSPORT")).hasMessageContaining("unknown entity type 'PASSPORT'")
                .hasMessageContaining("CN_RESIDENT_ID");
    }

    @Test
    void syntheticTextIsFoundWellAndTheMetricsAddUp() {
        List<LabeledText> data = SyntheticPii.generate(1500, 11, 0.4);
        PiiEvaluation.Report r = PiiEvaluation.evaluate(PiiAnalyzer.builder().build(), data, PiiEvaluation.Match.EXACT);
        for (EntityType t : List.of(EntityType.EMAIL_ADDRESS, EntityType.CREDIT_CARD, EntityType.IBAN_CODE,
                EntityType.US_SSN, EntityType.CN_RESIDENT_ID, EntityType.CRYPTO, EntityType.IP_ADDRESS)) {
            assertThat(r.byType().get(t).recall()).as(t.name()).isEqualTo(1.0);
        }
        assertThat(r.overall().precision()).isGreaterThan(0.97);
        assertThat(r.overall().f2()).isGreaterThan(0.9);
        assertThat(r.byType().get(EntityType.PERSON).recall()).isBetween(0.7, 0.99); // unknown names are missed
    }

    @Test
    void evaluationCountsExactAndOverlappingMatches() {
        var gold = List.of(List.of(new LabeledText.Span(EntityType.PERSON, 0, 10, 1), new LabeledText.Span(EntityType.URL, 20, 30, 1)));
        var pred = List.of(List.of(new LabeledText.Span(EntityType.PERSON, 0, 8, 1), new LabeledText.Span(EntityType.URL, 20, 30, 1),
                new LabeledText.Span(EntityType.EMAIL_ADDRESS, 40, 50, 1)));
        PiiEvaluation.Scores exact = PiiEvaluation.evaluate(gold, pred, PiiEvaluation.Match.EXACT).overall();
        assertThat(exact.truePositives()).isEqualTo(1);
        assertThat(exact.falsePositives()).isEqualTo(2);
        assertThat(exact.falseNegatives()).isEqualTo(1);
        assertThat(exact.precision()).isEqualTo(1 / 3.0);
        assertThat(exact.recall()).isEqualTo(0.5);
        assertThat(exact.f2()).isCloseTo(5 * (1 / 3.0) * 0.5 / (4 / 3.0 + 0.5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(PiiEvaluation.evaluate(gold, pred, PiiEvaluation.Match.OVERLAP).overall().truePositives()).isEqualTo(2);
    }

    @Test
    void theSameSeedGivesTheSameSyntheticText() {
        assertThat(SyntheticPii.generate(50, 3, 0.5)).isEqualTo(SyntheticPii.generate(50, 3, 0.5));
        assertThat(SyntheticPii.generate(50, 3, 0.5)).isNotEqualTo(SyntheticPii.generate(50, 4, 0.5));
    }
}
