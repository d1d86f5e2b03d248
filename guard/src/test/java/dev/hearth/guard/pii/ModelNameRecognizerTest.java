package dev.hearth.guard.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.io.TaggerFolder;
import dev.hearth.engine.models.CharVocabulary;
import dev.hearth.engine.models.TokenTagger;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelNameRecognizerTest {
    @Test
    void trainingTextSharesNoTemplateNameOrPlaceWithTheEvaluationText() {
        List<String> pooled = NerTrainingText.pooledValues();
        Set<String> evaluation = new HashSet<>();
        evaluation.addAll(FakeValues.EN_GIVEN);
        evaluation.addAll(FakeValues.EN_SURNAMES);
        evaluation.addAll(FakeValues.EN_PLACES);
        evaluation.addAll(FakeValues.ZH_PLACES);
        evaluation.addAll(FakeValues.ZH_SURNAMES);
        evaluation.addAll(FakeValues.ZH_GIVEN);
        evaluation.addAll(FakeValues.ZH_ROADS);
        evaluation.addAll(FakeValues.STREETS);
        assertThat(pooled).hasSizeGreaterThan(300).doesNotContainAnyElementsOf(evaluation);
        assertThat(NerTrainingText.heldOut()).containsAll(evaluation.stream()
                .filter(v -> !FakeValues.STREETS.contains(v)).toList());
        // No evaluation given-name character is ever part of a training given name.
        Set<Integer> evalGivenChars = new HashSet<>();
        FakeValues.ZH_GIVEN.forEach(g -> g.codePoints().forEach(evalGivenChars::add));
        FakeValues.ZH_SURNAMES.forEach(g -> g.codePoints().forEach(evalGivenChars::add));
        assertThat(NerTrainingText.chineseGivenChars()).hasSizeGreaterThan(100)
                .noneMatch(c -> evalGivenChars.contains(c.codePointAt(0)));
        for (LabeledText t : NerTrainingText.generate(3000, 9, 0.5)) {
            for (LabeledText.Span s : t.entities()) {
                String value = t.text().substring(t.text().offsetByCodePoints(0, s.start()),
                        t.text().offsetByCodePoints(0, s.end()));
                for (String e : evaluation) {
                    assertThat(value.equals(e) || value.startsWith(e + " ") || value.endsWith(" " + e)).as("%s in %s", e, value)
                            .isFalse();
                }
            }
        }
        for (String template : NerTrainingText.templates()) {
            assertThat(SyntheticPii.templates()).as(template).doesNotContain(template);
        }
    }

    @Test
    void decodesBioTagsIntoSpansWithTheMeanProbability() {
        // Positions: O B-PER I-PER O I-LOC I-LOC B-LOC
        int[] best = {0, 1, 2, 0, 4, 4, 3};
        float[] p = new float[best.length * 5];
        for (int i = 0; i < best.length; i++) {
            for (int j = 0; j < 5; j++) {
                p[i * 5 + j] = j == best[i] ? 0.8f : 0.05f;
            }
        }
        p[2 * 5 + 2] = 0.6f;
        List<LabeledText.Span> spans = ModelNameRecognizer.decode(p, best.length);
        assertThat(spans).hasSize(3);
        assertThat(spans.get(0)).extracting(LabeledText.Span::type, LabeledText.Span::start, LabeledText.Span::end)
                .containsExactly(EntityType.PERSON, 1, 3);
        assertThat(spans.get(0).score()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(spans.get(1)).extracting(LabeledText.Span::type, LabeledText.Span::start, LabeledText.Span::end)
                .containsExactly(EntityType.LOCATION, 4, 6);
        assertThat(spans.get(2)).extracting(LabeledText.Span::type, LabeledText.Span::start, LabeledText.Span::end)
                .containsExactly(EntityType.LOCATION, 6, 7);
    }

    /** A tiny tagger that learns: 王明 is a person, 京口 a place, in text with emoji. */
    private static ModelNameRecognizer tinyModel(Path dir) {
        CharVocabulary vocab = new CharVocabulary("王明京口ab 😀".codePoints().toArray());
        TokenTagger m = new TokenTagger(new TokenTagger.Config(vocab.size(), 8, 12, 5), new Rng(2));
        Adam opt = new Adam(m.parameters(), 0.03, Adam.Config.defaults());
        Rng r = new Rng(3);
        String[] pieces = {"王明", "京口", "a", "b", " ", "😀"};
        for (int step = 0; step < 120; step++) {
            int n = 8;
            int time = 14;
            int[] ids = new int[n * time];
            int[] shapes = new int[n * time];
            int[] y = new int[n * time];
            java.util.Arrays.fill(y, -100);
            int[] lengths = new int[n];
            for (int b = 0; b < n; b++) {
                StringBuilder sb = new StringBuilder();
                List<LabeledText.Span> spans = new ArrayList<>();
                int cp = 0;
                while (cp < 10) {
                    String piece = pieces[r.nextInt(pieces.length)];
                    int len = piece.codePointCount(0, piece.length());
                    if (piece.equals("王明")) {
                        spans.add(new LabeledText.Span(EntityType.PERSON, cp, cp + 2, 1));
                    } else if (piece.equals("京口")) {
                        spans.add(new LabeledText.Span(EntityType.LOCATION, cp, cp + 2, 1));
                    }
                    sb.append(piece).append(' ');
                    cp += len + 1;
                }
                LabeledText t = new LabeledText("t", sb.toString(), spans);
                CharVocabulary.Encoded e = vocab.encode(t.text());
                lengths[b] = e.length();
                System.arraycopy(e.ids(), 0, ids, b * time, e.length());
                System.arraycopy(e.shapes(), 0, shapes, b * time, e.length());
                System.arraycopy(ModelNameRecognizer.tags(t), 0, y, b * time, e.length());
            }
            Tensor loss = Losses.crossEntropy(m.forward(ids, shapes, n, time, lengths), y, -100, 0f);
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }
        m.eval();
        TaggerFolder.save(dir, m, vocab, ModelNameRecognizer.TAGS, Map.of("test", true));
        return ModelNameRecognizer.load(dir);
    }

    @Test
    void findsNamesInCodePointsPastEmojiAndLoadsOnlyNameTaggers(@TempDir Path dir) {
        ModelNameRecognizer model = tinyModel(dir.resolve("names"));
        String text = "😀 a 王明 b 😀 京口 a";
        PiiAnalyzer analyzer = PiiAnalyzer.builder().types(List.of(EntityType.PERSON, EntityType.LOCATION))
                .names(NameSource.MODEL).nameModel(model).build();
        List<Finding> found = analyzer.analyze(text);
        assertThat(found).extracting(Finding::reason).allMatch(r -> r.startsWith("model"));
        List<LabeledText.Span> spans = LabeledText.spans(text, found);
        assertThat(spans).extracting(LabeledText.Span::type, LabeledText.Span::start, LabeledText.Span::end)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EntityType.PERSON, 4, 6),
                        org.assertj.core.groups.Tuple.tuple(EntityType.LOCATION, 11, 13));
        assertThat(found.get(0).start()).isEqualTo(5);   // UTF-16: the emoji is two chars
        assertThat(found.get(0).score()).isBetween(0.5, 1.0);

        // A tagger with other tags, a missing model, and a model named without the mode that uses it.
        CharVocabulary v = new CharVocabulary(new int[] {'a'});
        TaggerFolder.save(dir.resolve("other"), new TokenTagger(new TokenTagger.Config(v.size(), 2, 2, 3), new Rng(1)), v,
                List.of("O", "B-X", "I-X"), Map.of());
        assertThatThrownBy(() -> ModelNameRecognizer.load(dir.resolve("other"))).isInstanceOf(PiiException.class)
                .hasMessageContaining("not the name tags");
        assertThatThrownBy(() -> ModelNameRecognizer.load(dir.resolve("absent"))).isInstanceOf(PiiException.class)
                .hasMessageContaining("not a model folder");
        assertThatThrownBy(() -> PiiAnalyzer.builder().names(NameSource.BOTH).build()).isInstanceOf(PiiException.class)
                .hasMessageContaining("need a trained name model");
        assertThatThrownBy(() -> PiiAnalyzer.builder().nameModel(model).build()).isInstanceOf(PiiException.class)
                .hasMessageContaining("dictionaries only");
        assertThatThrownBy(() -> NameSource.parse("crf")).isInstanceOf(PiiException.class)
                .hasMessageContaining("dictionaries, model or both");
    }

    @Test
    void bothMergesDictionaryAndModelFindingsResolvingOverlaps(@TempDir Path dir) {
        ModelNameRecognizer model = tinyModel(dir.resolve("names"));
        String text = "a 王明 b 京口 a";
        List<Finding> dict = PiiAnalyzer.builder().build().analyze(text);
        List<Finding> both = PiiAnalyzer.builder().names(NameSource.BOTH).nameModel(model).build().analyze(text);
        assertThat(dict).noneMatch(f -> f.type() == EntityType.LOCATION);
        assertThat(both).anyMatch(f -> f.type() == EntityType.LOCATION && f.reason().startsWith("model"));
        assertThat(both).anyMatch(f -> f.type() == EntityType.PERSON);
        for (int i = 1; i < both.size(); i++) {
            assertThat(both.get(i).start()).isGreaterThanOrEqualTo(both.get(i - 1).end());
        }

        // A scrub policy names the model relative to its own folder.
        ScrubPolicy policy = ScrubPolicy.parse("names: model\nname_model: names\n", "policy.yaml", dir);
        assertThat(policy.names()).isEqualTo(NameSource.MODEL);
        assertThat(policy.analyzer().analyze(text)).isNotEmpty().allMatch(f -> f.reason().startsWith("model"));
        assertThat(ScrubPolicy.parse("name_model: names\n", "p", dir).names()).isEqualTo(NameSource.BOTH);
        assertThat(ScrubPolicy.defaults().names()).isEqualTo(NameSource.DICTIONARIES);
        assertThatThrownBy(() -> ScrubPolicy.parse("names: both\n", "p.yaml", dir)).isInstanceOf(PiiException.class)
                .hasMessageContaining("needs name_model");
        assertThatThrownBy(() -> ScrubPolicy.parse("names: dictionaries\nname_model: names\n", "p.yaml", dir))
                .isInstanceOf(PiiException.class).hasMessageContaining("leave name_model out");
        assertThatThrownBy(() -> ScrubPolicy.parse("name_model: nowhere\n", "p.yaml", dir).analyzer())
                .isInstanceOf(PiiException.class).hasMessageContaining("not a model folder");
    }
}
