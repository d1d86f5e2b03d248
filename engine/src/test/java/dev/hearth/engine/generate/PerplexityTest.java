package dev.hearth.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerplexityTest {
    private static final CharTokenizer CHARS = TinyModels.chars();
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. the dog sleeps, the fox runs!";

    /** A Llama whose untied head is all zeros: every prediction is uniform over the vocabulary. */
    private static Llama uniform(int vocab, int context) {
        Llama m = TinyModels.llama(vocab, context);
        try (var s = Autograd.noGrad()) {
            m.parameters().get("lm_head.weight").fill(0f);
        }
        return m;
    }

    @Test
    void aModelThatPredictsUniformlyHasThePerplexityOfTheVocabularySize() {
        Perplexity p = new Perplexity(uniform(CHARS.vocabSize(), 16), CHARS);
        PerplexityResult r = p.evaluate(TEXT, PerplexityOptions.DEFAULTS);
        assertThat(r.perplexity()).isCloseTo(CHARS.vocabSize(), within(1e-9 * CHARS.vocabSize()));
        assertThat(r.nll()).isCloseTo(Math.log(CHARS.vocabSize()), within(1e-12));
        assertThat(r.tokens()).isEqualTo(TEXT.length() - 1);                   // the first token has no context
        assertThat(r.windows()).isEqualTo((TEXT.length() - 1 + 15) / 16);      // 16 targets per window
        assertThat(r.bytes()).isEqualTo(TEXT.length());
    }

    @Test
    void bitsPerByteIsTheTotalNllInBitsOverTheUtf8Bytes() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        String text = TinyModels.MIXED;
        int bos = bpe.specialTokenId("<|endoftext|>").orElseThrow();
        Perplexity p = new Perplexity(uniform(bpe.vocabSize(), 32), bpe);
        PerplexityResult r = p.evaluate(text, PerplexityOptions.DEFAULTS.withPrefixToken(bos));
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        int tokens = bpe.encode(text).length;                                  // all scored after the prefix
        assertThat(bytes).isGreaterThan(text.length());                       // Chinese and emoji: several bytes
        assertThat(r.bytes()).isEqualTo(bytes);
        assertThat(r.tokens()).isEqualTo(tokens);
        assertThat(r.totalNll()).isCloseTo(tokens * Math.log(bpe.vocabSize()), within(1e-9));
        assertThat(r.bitsPerByte()).isCloseTo(tokens * Math.log(bpe.vocabSize()) / Math.log(2) / bytes, within(1e-12));
        assertThat(r.bitsPerByte()).isCloseTo(r.totalNll() / Math.log(2) / r.bytes(), within(1e-15));
        assertThat(r.perplexity()).isCloseTo(Math.exp(r.totalNll() / r.tokens()), within(1e-9));
    }

    /** Each target j scored with the context the window rule gives it, one uncached forward per target. */
    private static double naiveTotalNll(LanguageModel m, int[] ids, int stride) {
        int context = m.contextLength();
        double total = 0;
        int v = m.vocabSize();
        try (var s = Autograd.noGrad()) {
            for (int j = 1; j < ids.length; j++) {
                int k = Math.max(0, (j - context + stride - 1) / stride);     // first window with end >= j
                int begin = k * stride;
                int[] in = java.util.Arrays.copyOfRange(ids, begin, j);
                float[] all = m.forward(in, 1, in.length).toFloatArray();
                total += Perplexity.negativeLogLikelihood(all, (in.length - 1) * v, v, ids[j]);
            }
        }
        return total;
    }

    @Test
    void slidingWindowsScoreEveryTokenOnceWithTheContextTheStrideAllows() {
        for (LanguageModel m : TinyModels.both(CHARS.vocabSize(), 16)) {
            Perplexity p = new Perplexity(m, CHARS);
            int[] ids = CHARS.encode(TEXT);
            for (int stride : new int[] {16, 8, 5, 1}) {
                PerplexityResult r = p.evaluate(TEXT, PerplexityOptions.DEFAULTS.withStride(stride).withBatch(3));
                assertThat(r.tokens()).isEqualTo(ids.length - 1);
                assertThat(r.totalNll()).as("stride " + stride)
                        .isCloseTo(naiveTotalNll(m, ids, stride), within(1e-4));
            }
            // a trained model would gain from more context; a random one at least differs
            double nonOverlapping = p.evaluate(TEXT, PerplexityOptions.DEFAULTS).totalNll();
            double sliding = p.evaluate(TEXT, PerplexityOptions.DEFAULTS.withStride(4)).totalNll();
            assertThat(sliding).isNotEqualTo(nonOverlapping);
        }
    }

    @Test
    void theBatchSizeDoesNotChangeTheResult() {
        LanguageModel m = TinyModels.gpt(CHARS.vocabSize(), 16, 4);
        Perplexity p = new Perplexity(m, CHARS);
        double one = p.evaluate(TEXT, PerplexityOptions.DEFAULTS.withBatch(1)).totalNll();
        for (int batch : new int[] {2, 5, 64, 0}) {
            assertThat(p.evaluate(TEXT, PerplexityOptions.DEFAULTS.withBatch(batch)).totalNll())
                    .isCloseTo(one, within(1e-4));
        }
    }

    @Test
    void documentsAreScoredSeparatelyAndSummed() {
        LanguageModel m = TinyModels.llama(CHARS.vocabSize(), 16);
        Perplexity p = new Perplexity(m, CHARS);
        String a = "the quick brown fox jumps over";
        String b = "a lazy dog, sleeping.";
        PerplexityResult ra = p.evaluate(a, PerplexityOptions.DEFAULTS);
        PerplexityResult rb = p.evaluate(b, PerplexityOptions.DEFAULTS);
        PerplexityResult both = p.evaluate(List.of(a, b), PerplexityOptions.DEFAULTS.withBatch(4));
        assertThat(both.tokens()).isEqualTo(ra.tokens() + rb.tokens());
        assertThat(both.bytes()).isEqualTo(ra.bytes() + rb.bytes());
        assertThat(both.totalNll()).isCloseTo(ra.totalNll() + rb.totalNll(), within(1e-4));
        assertThat(both.nll()).isCloseTo(both.totalNll() / both.tokens(), within(1e-12));
    }

    @Test
    void badInputsAreExplained() {
        Perplexity p = new Perplexity(TinyModels.gpt(CHARS.vocabSize(), 16, 4), CHARS);
        assertThatThrownBy(() -> p.evaluate(TEXT, PerplexityOptions.DEFAULTS.withStride(17)))
                .isInstanceOf(GenerationException.class).hasMessageContaining("stride 17 is longer than the context 16");
        assertThatThrownBy(() -> p.evaluate("a", PerplexityOptions.DEFAULTS))
                .isInstanceOf(GenerationException.class).hasMessageContaining("fewer than two tokens");
        assertThatThrownBy(() -> p.evaluate(List.of("ok", "é"), PerplexityOptions.DEFAULTS))
                .isInstanceOf(GenerationException.class).hasMessageContaining("document 1 cannot be encoded");
        assertThatThrownBy(() -> PerplexityOptions.DEFAULTS.withStride(-1)).isInstanceOf(GenerationException.class);
        // one token is enough with a prefix token
        assertThat(p.evaluate("a", PerplexityOptions.DEFAULTS.withPrefixToken(0)).tokens()).isEqualTo(1);
    }
}
