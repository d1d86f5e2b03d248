package dev.hearth.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final CharTokenizer CHARS = TinyModels.chars();
    private static final int V = CHARS.vocabSize();

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The argmax of the last position of an uncached forward pass over the whole sequence. */
    private static float[] lastLogits(LanguageModel m, int[] seq) {
        try (var s = Autograd.noGrad()) {
            float[] all = m.forward(seq, 1, seq.length).toFloatArray();
            return Arrays.copyOfRange(all, (seq.length - 1) * m.vocabSize(), seq.length * m.vocabSize());
        }
    }

    private static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<int[]> tokens(List<GenerationResult> rs) {
        return rs.stream().map(GenerationResult::tokenIds).toList();
    }

    @Test
    void cachedGreedyDecodingEqualsTheArgmaxOfAFullForwardAtEveryStep() {
        for (LanguageModel m : TinyModels.both(V, 40)) {
            Generator g = new Generator(m, CHARS);
            GenerationResult r = g.generate("the fox", SamplingParams.greedy(20));
            assertThat(r.generatedTokens()).isEqualTo(20);
            assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
            int[] seq = CHARS.encode("the fox");
            for (int tok : r.tokenIds()) {
                assertThat(tok).as(m.getClass().getSimpleName()).isEqualTo(argmax(lastLogits(m, seq)));
                seq = concat(seq, new int[] {tok});
            }
            assertThat(r.text()).isEqualTo(CHARS.decode(r.tokenIds()));
            assertThat(r.promptTokens()).isEqualTo(7);
        }
    }

    @Test
    void theRepetitionPenaltyAppliesToPromptAndNewTokensAsDefined() {
        double penalty = 1.8;
        for (LanguageModel m : TinyModels.both(V, 40)) {
            Generator g = new Generator(m, CHARS);
            GenerationResult r = g.generate("aaab", SamplingParams.greedy(15).withRepetitionPenalty(penalty));
            int[] seq = CHARS.encode("aaab");
            for (int tok : r.tokenIds()) {
                float[] l = lastLogits(m, seq);
                double[] s = new double[l.length];
                for (int i = 0; i < l.length; i++) {
                    final int id = i;
                    boolean seen = Arrays.stream(seq).anyMatch(x -> x == id);
                    s[i] = seen ? (l[i] > 0 ? l[i] / penalty : l[i] * penalty) : l[i];
                }
                int best = 0;
                for (int i = 1; i < s.length; i++) {
                    if (s[i] > s[best]) {
                        best = i;
                    }
                }
                assertThat(tok).isEqualTo(best);
                seq = concat(seq, new int[] {tok});
            }
            GenerationResult plain = g.generate("aaab", SamplingParams.greedy(15));
            assertThat(r.tokenIds()).isNotEqualTo(plain.tokenIds());
        }
    }

    @Test
    void aBatchOfPromptsOfDifferentLengthsGivesEachTheTokensItGetsAlone() {
        List<String> prompts = List.of("the quick brown fox", "a", "jumps over", "lazy dog, lazy");
        for (LanguageModel m : TinyModels.both(V, 64)) {
            Generator g = new Generator(m, CHARS);
            for (SamplingParams p : List.of(SamplingParams.greedy(16),
                    SamplingParams.greedy(16).withTemperature(1.0).withSeed(3),
                    SamplingParams.greedy(16).withTemperature(0.8).withTopK(5).withTopP(0.9).withSeed(4))) {
                List<GenerationResult> batch = g.generate(prompts, p, GenerationListener.NONE);
                // the first prompt alone is sequence 0, as in the batch
                assertThat(g.generate(prompts.getFirst(), p).tokenIds()).isEqualTo(batch.getFirst().tokenIds());
                // any other prompt: the same index in a batch of different neighbours
                for (int i = 1; i < prompts.size(); i++) {
                    List<String> others = new ArrayList<>(List.of("x", "yy", "zzz z", "w"));
                    others.set(i, prompts.get(i));
                    List<GenerationResult> alt = g.generate(others, p, GenerationListener.NONE);
                    assertThat(alt.get(i).tokenIds()).as("prompt %d, %s", i, p).isEqualTo(batch.get(i).tokenIds());
                    assertThat(alt.get(i).text()).isEqualTo(batch.get(i).text());
                }
                if (p.isGreedy()) {
                    for (int i = 0; i < prompts.size(); i++) {
                        assertThat(g.generate(prompts.get(i), p).tokenIds()).isEqualTo(batch.get(i).tokenIds());
                    }
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTheSeedMatters() {
        LanguageModel m = TinyModels.llama(V, 64);
        Generator g = new Generator(m, CHARS);
        SamplingParams p = SamplingParams.greedy(30).withTemperature(1.5).withSeed(7);
        List<String> prompts = List.of("the", "fox");
        List<GenerationResult> a = g.generate(prompts, p, GenerationListener.NONE);
        List<GenerationResult> b = g.generate(prompts, p, GenerationListener.NONE);
        assertThat(tokens(a)).usingRecursiveComparison().isEqualTo(tokens(b));
        List<GenerationResult> c = g.generate(prompts, p.withSeed(8), GenerationListener.NONE);
        assertThat(c.getFirst().tokenIds()).isNotEqualTo(a.getFirst().tokenIds());
        // two identical prompts in one batch draw from different streams
        List<GenerationResult> twins = g.generate(List.of("the", "the"), p, GenerationListener.NONE);
        assertThat(twins.get(0).tokenIds()).isNotEqualTo(twins.get(1).tokenIds());
    }

    @Test
    void theThreadCountDoesNotChangeTheTokens() {
        LanguageModel m = TinyModels.llama(V, 64);
        Generator g = new Generator(m, CHARS);
        SamplingParams p = SamplingParams.greedy(30).withTemperature(1.0).withTopP(0.9).withSeed(21);
        List<String> prompts = List.of("the quick brown fox", "dog");
        List<List<GenerationResult>> runs = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                ComputePool.runWith(pool, () -> runs.add(g.generate(prompts, p, GenerationListener.NONE)));
            }
        }
        assertThat(tokens(runs.get(0))).usingRecursiveComparison().isEqualTo(tokens(runs.get(1)));
    }

    @Test
    void topKOneTinyTopPAndTinyTemperatureAreGreedy() {
        for (LanguageModel m : TinyModels.both(V, 64)) {
            Generator g = new Generator(m, CHARS);
            List<String> prompts = List.of("the quick", "dog");
            List<int[]> greedy = tokens(g.generate(prompts, SamplingParams.greedy(25), GenerationListener.NONE));
            SamplingParams sampled = SamplingParams.greedy(25).withTemperature(1.0).withSeed(99);
            for (SamplingParams p : List.of(sampled.withTopK(1), sampled.withTopP(1e-6), sampled.withTemperature(1e-4))) {
                assertThat(tokens(g.generate(prompts, p, GenerationListener.NONE))).as(p.toString())
                        .usingRecursiveComparison().isEqualTo(greedy);
            }
            // and a real temperature does not
            assertThat(tokens(g.generate(prompts, sampled.withTemperature(2), GenerationListener.NONE)))
                    .usingRecursiveComparison().isNotEqualTo(greedy);
        }
    }

    @Test
    void aStopSequenceSpanningSeveralTokensEndsGenerationAndIsCutFromTheText() {
        LanguageModel m = TinyModels.llama(V, 64);
        Generator g = new Generator(m, CHARS);
        SamplingParams p = SamplingParams.greedy(30).withTemperature(1).withSeed(5);
        String full = g.generate("over the", p).text();
        assertThat(full).hasSize(30);
        String stop = full.substring(10, 14);                      // four characters: four tokens
        int at = full.indexOf(stop);
        RecordingListener rec = new RecordingListener();
        GenerationResult r = g.generate(List.of("over the"), p.withStopSequences(List.of("zzzzzz", stop)), rec)
                .getFirst();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(r.text()).isEqualTo(full.substring(0, at));
        assertThat(r.generatedTokens()).isEqualTo(at + stop.length());   // the tokens of the stop sequence are kept
        assertThat(rec.text(0)).isEqualTo(r.text());
        assertThat(rec.finished.get(0)).isEqualTo(r);
    }

    @Test
    void anEosTokenEndsGenerationAndItsTextIsLeftOut() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        int eos = bpe.specialTokenId("<|endoftext|>").orElseThrow();
        int[] text = bpe.encode("hello world. the dog");
        int[] script = concat(concat(text, new int[] {eos}), bpe.encode(" never"));
        Generator g = new Generator(new ScriptedModel(bpe.vocabSize(), 64, script), bpe);
        int promptLength = bpe.encode("hello").length;
        SamplingParams p = SamplingParams.greedy(40).withStopTokenIds(List.of(eos));
        RecordingListener rec = new RecordingListener();
        GenerationResult r = g.generate(List.of("hello"), p, rec).getFirst();
        assertThat(r.finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(r.text()).isEqualTo(" world. the dog").isEqualTo(rec.text(0));
        assertThat(r.tokenIds()).endsWith(eos).hasSize(text.length - promptLength + 1);
        // without the stop id the special token is text like any other
        GenerationResult on = g.generate("hello", SamplingParams.greedy(text.length - promptLength + 2));
        assertThat(on.text()).isEqualTo(" world. the dog<|endoftext|> never".substring(0, on.text().length()))
                .contains("<|endoftext|>");
    }

    @Test
    void maxTokensEndsGeneration() {
        Generator g = new Generator(TinyModels.gpt(V, 64, 1), CHARS);
        GenerationResult r = g.generate("fox", SamplingParams.greedy(7));
        assertThat(r.generatedTokens()).isEqualTo(7);
        assertThat(r.tokenIds()).hasSize(7);
        assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
        GenerationResult none = g.generate("fox", SamplingParams.greedy(0));
        assertThat(none.text()).isEmpty();
        assertThat(none.generatedTokens()).isZero();
        assertThat(none.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
    }

    @Test
    void generationStopsWhenTheContextIsFullAndBatchNeighboursDoNotShortenIt() {
        for (LanguageModel m : TinyModels.both(V, 16)) {
            Generator g = new Generator(m, CHARS);
            for (SamplingParams p : List.of(SamplingParams.greedy(50), SamplingParams.greedy(50).withTemperature(1))) {
                List<String> prompts = List.of("the quick br", "dog", "jumps");
                List<GenerationResult> batch = g.generate(prompts, p, GenerationListener.NONE);
                int[] expectNew = {4, 13, 11};
                for (int i = 0; i < prompts.size(); i++) {
                    GenerationResult r = batch.get(i);
                    assertThat(r.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
                    assertThat(r.promptTokens() + r.generatedTokens()).isEqualTo(16);
                    assertThat(r.generatedTokens()).isEqualTo(expectNew[i]);
                }
                assertThat(g.generate(prompts.getFirst(), p).tokenIds()).isEqualTo(batch.getFirst().tokenIds());
                if (p.isGreedy()) {
                    for (int i = 0; i < prompts.size(); i++) {
                        assertThat(g.generate(prompts.get(i), p).tokenIds()).as("prompt " + i)
                                .isEqualTo(batch.get(i).tokenIds());
                    }
                }
            }
        }
    }

    @Test
    void contextShiftGoesOnPastTheContextReadingTheRecentHalf() {
        int context = 16;
        for (LanguageModel m : TinyModels.both(V, context)) {
            Generator g = new Generator(m, CHARS, PromptOptions.PLAIN.withContextShift(true));
            List<String> prompts = List.of("the quick br", "dog");
            List<GenerationResult> batch = g.generate(prompts, SamplingParams.greedy(40), GenerationListener.NONE);
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult r = batch.get(i);
                assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
                assertThat(r.generatedTokens()).isEqualTo(40);
                // replay: each token is the argmax over the window the model read when it was chosen
                int[] seq = CHARS.encode(prompts.get(i));
                int start = 0;
                for (int tok : r.tokenIds()) {
                    int[] window = java.util.Arrays.copyOfRange(seq, start, seq.length);
                    assertThat(tok).as(m.getClass().getSimpleName() + " prompt " + i)
                            .isEqualTo(argmax(lastLogits(m, window)));
                    seq = concat(seq, new int[] {tok});
                    if (seq.length - start >= context) {
                        start = seq.length - context / 2;
                    }
                }
            }
        }
    }

    @Test
    void streamedDeltasOfChineseAndEmojiConcatenateToTheTextAndNeverSplitACharacter() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        String text = TinyModels.MIXED;
        int[] script = bpe.encode(text);
        String prompt = "the quick";
        int promptLength = bpe.encode(prompt).length;
        Generator g = new Generator(new ScriptedModel(bpe.vocabSize(), 256, script), bpe);
        RecordingListener rec = new RecordingListener();
        List<GenerationResult> rs = g.generate(List.of(prompt, "the"),
                SamplingParams.greedy(script.length - promptLength), rec);
        GenerationResult r = rs.getFirst();
        assertThat(r.text()).isEqualTo(text.substring(prompt.length()));
        assertThat(rec.text(0)).isEqualTo(r.text());
        assertThat(rec.text(1)).isEqualTo(rs.get(1).text());
        assertThat(rec.deltas(0)).noneMatch(d -> d.contains("\uFFFD"));
        assertThat(rec.deltas(1)).noneMatch(d -> d.contains("\uFFFD"));
        assertThat(rec.ids.get(0)).containsExactly(Arrays.stream(r.tokenIds()).boxed().toArray(Integer[]::new));
    }

    @Test
    void aRandomByteLevelModelStreamsExactlyItsText() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        LanguageModel m = TinyModels.llama(bpe.vocabSize(), 128);
        Generator g = new Generator(m, bpe);
        RecordingListener rec = new RecordingListener();
        List<GenerationResult> rs = g.generate(List.of("你好，世界", "👋 hello"),
                SamplingParams.greedy(60).withTemperature(1.2).withSeed(1), rec);
        for (int i = 0; i < 2; i++) {
            GenerationResult r = rs.get(i);
            assertThat(rec.text(i)).isEqualTo(r.text()).isEqualTo(bpe.decode(r.tokenIds()));
        }
    }

    @Test
    void promptsAreEncodedWithTheOptionsAndTruncatedOnlyWhenAllowed() {
        LanguageModel m = TinyModels.gpt(V, 16, 3);
        String longPrompt = "the quick brown fox jumps";                 // 25 characters
        Generator strict = new Generator(m, CHARS);
        assertThatThrownBy(() -> strict.generate(longPrompt, SamplingParams.greedy(4)))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("prompt 0 is 25 tokens but the model's context holds 16")
                .hasMessageContaining("truncat");
        Generator truncating = new Generator(m, CHARS, PromptOptions.PLAIN.withTruncateLeft(true));
        GenerationResult r = truncating.generate(longPrompt, SamplingParams.greedy(4));
        assertThat(r.promptTokens()).isEqualTo(12);
        assertThat(r.generatedTokens()).isEqualTo(4);
        assertThat(r.tokenIds()).isEqualTo(strict.generate("wn fox jumps", SamplingParams.greedy(4)).tokenIds());
        int bos = CHARS.encode("!")[0];
        Generator withBos = new Generator(m, CHARS, PromptOptions.PLAIN.withBos(bos).withTruncateLeft(true));
        assertThat(withBos.generate("", SamplingParams.greedy(3)).promptTokens()).isEqualTo(1);
        assertThat(withBos.encodePrompts(List.of(longPrompt), 4).getFirst())
                .isEqualTo(concat(new int[] {bos}, CHARS.encode("n fox jumps")));
    }

    @Test
    void badRequestsAreExplained() {
        Generator g = new Generator(TinyModels.gpt(V, 16, 3), CHARS);
        SamplingParams p = SamplingParams.greedy(3);
        assertThatThrownBy(() -> g.generate(List.of(), p, GenerationListener.NONE))
                .isInstanceOf(GenerationException.class).hasMessageContaining("no prompts");
        assertThatThrownBy(() -> g.generate("", p)).isInstanceOf(GenerationException.class)
                .hasMessageContaining("prompt 0 has no tokens");
        assertThatThrownBy(() -> g.generate(List.of("ok", "café"), p, GenerationListener.NONE))
                .isInstanceOf(GenerationException.class)
                .hasMessageContaining("prompt 1 cannot be encoded")
                .hasMessageContaining("'é'");
        assertThatThrownBy(() -> g.generate("the quick brown fox", p))
                .isInstanceOf(GenerationException.class).hasMessageContaining("16");
        assertThatThrownBy(() -> g.generateIds(List.of(new int[] {1, 99}), p, GenerationListener.NONE))
                .hasMessageContaining("token id 99");
    }

    @Test
    void theModelsModeIsLeftAsItWasAndTimingsAreFilledIn() {
        LanguageModel m = TinyModels.llama(V, 32);
        m.train(true);
        GenerationResult r = new Generator(m, CHARS).generate("the", SamplingParams.greedy(5));
        assertThat(m.isTraining()).isTrue();
        assertThat(r.timings().prefillTokens()).isEqualTo(3);
        assertThat(r.timings().decodeTokens()).isEqualTo(4);
        assertThat(r.timings().prefillSeconds()).isPositive();
        assertThat(r.timings().decodeTokensPerSecond()).isPositive();
    }
}
