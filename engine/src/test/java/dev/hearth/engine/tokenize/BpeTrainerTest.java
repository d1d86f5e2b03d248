package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
    private static BpeTrainingConfig config(int vocab, int minFrequency) {
        return BpeTrainingConfig.gpt2(vocab).withMinFrequency(minFrequency);
    }

    private static List<String> merges(ByteLevelBpeTokenizer t) {
        return t.merges().stream().map(BpeMerge::toString).toList();
    }

    /*
     * "low low low lower lowest" splits into low, Ġlow x2, Ġlower, Ġlowest. Byte ids: printable
     * ASCII c is c - 33 (l 75, o 78, w 86, e 68, r 81, s 82, t 83), Ġ (space) is 220.
     *   pairs: (l,o) 5, (o,w) 5, (Ġ,l) 4, (w,e) 2, (e,r) (e,s) (s,t) 1
     *   1. l o      tie at 5 with (o,w): (75,78) < (78,86)           -> lo  256
     *   2. lo w     5                                                  -> low 257
     *   3. Ġ low    4                                                  -> Ġlow 258
     *   4. Ġlow e   2                                                  -> Ġlowe 259
     *   5. s t      tie at 1 with (259,81) (259,82): (82,83) smallest  -> st 260
     *   6. Ġlowe r  tie at 1 with (259,260): (259,81) smaller          -> Ġlower 261
     *   7. Ġlowe st                                                    -> Ġlowest 262
     * then no pair is left.
     */
    @Test
    void learnsTheMergesComputedByHand() {
        BpeTrainingResult r = BpeTrainer.train(List.of("low low low lower lowest"), config(1000, 1));
        assertThat(merges(r.tokenizer())).containsExactly("l o", "lo w", "Ġ low", "Ġlow e", "s t", "Ġlowe r",
                "Ġlowe st");
        assertThat(r.stopReason()).isEqualTo(BpeTrainingResult.StopReason.NO_PAIRS_LEFT);
        assertThat(r.vocabSize()).isEqualTo(263);
        assertThat(r.isSmallerThanRequested()).isTrue();
        assertThat(r.summary()).contains("263 tokens", "fewer than the 1,000 asked for", "every word");
        ByteLevelBpeTokenizer t = r.tokenizer();
        assertThat(t.tokenId("l")).hasValue(75);
        assertThat(t.tokenId("Ġ")).hasValue(220);
        assertThat(t.tokenId("Ġlowest")).hasValue(262);
        assertThat(t.encode("low lowest lower")).containsExactly(257, 262, 261);
    }

    /*
     * Documents abc, abc, bd, bd, ab: pairs (a,b) 3, (b,c) 2, (b,d) 2.
     *   1. a b -> ab (256)
     *   2. tie at 2 between (ab, c) = (256, 66) and (b, d) = (65, 67): ids decide, (b, d) first,
     *      although "ab" < "b" as strings. This is Hugging Face's rule, not a string order.
     *   3. ab c
     */
    @Test
    void breaksTiesByTokenIdsAsHuggingFaceDoes() {
        BpeTrainingResult r = BpeTrainer.train(List.of("abc", "abc", "bd", "bd", "ab"), config(1000, 2));
        assertThat(merges(r.tokenizer())).containsExactly("a b", "b d", "ab c");
    }

    @Test
    void minFrequencyStopsTrainingAndSaysSo() {
        BpeTrainingResult r = BpeTrainer.train(List.of("low low low lower lowest"), config(1000, 2));
        assertThat(merges(r.tokenizer())).containsExactly("l o", "lo w", "Ġ low", "Ġlow e");
        assertThat(r.stopReason()).isEqualTo(BpeTrainingResult.StopReason.BELOW_MIN_FREQUENCY);
        assertThat(r.summary()).contains("minFrequency");
    }

    @Test
    void stopsAtTheVocabularySize() {
        BpeTrainingResult r = BpeTrainer.train(List.of("low low low lower lowest"), config(259, 1));
        assertThat(merges(r.tokenizer())).containsExactly("l o", "lo w", "Ġ low");
        assertThat(r.stopReason()).isEqualTo(BpeTrainingResult.StopReason.VOCAB_SIZE_REACHED);
        assertThat(r.tokenizer().vocabSize()).isEqualTo(259);
    }

    @Test
    void specialTokensComeFirst() {
        BpeTrainingResult r = BpeTrainer.train(List.of("aaa aaa"),
                config(300, 1).withSpecialTokens(List.of("<|endoftext|>", "<pad>")));
        ByteLevelBpeTokenizer t = r.tokenizer();
        assertThat(t.specialTokenId("<|endoftext|>")).hasValue(0);
        assertThat(t.specialTokenId("<pad>")).hasValue(1);
        assertThat(t.tokenId("!")).hasValue(2);
        assertThat(t.specialTokens()).containsExactly("<|endoftext|>", "<pad>");
    }

    @Test
    void equalsTheNaiveTrainerOnRandomCorpora() {
        Random rnd = new Random(99);
        for (int trial = 0; trial < 25; trial++) {
            List<String> docs = new ArrayList<>();
            String[] words = {"the", "then", "there", "he", "her", "hers", "ab", "ba", "aaa", "你好", "世界", "😀😀",
                "x1", "22", "'s", " ", "\n"};
            for (int d = 0; d < 1 + rnd.nextInt(6); d++) {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < 5 + rnd.nextInt(60); w++) {
                    sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(3) == 0 ? "" : " ");
                }
                docs.add(sb.toString());
            }
            int vocab = 256 + 1 + rnd.nextInt(80);
            int minFreq = rnd.nextInt(3);
            List<String> specials = trial % 2 == 0 ? List.of() : List.of("<s>");
            BpeTrainingResult r = BpeTrainer.train(docs, config(vocab, minFreq).withSpecialTokens(specials));
            assertThat(r.tokenizer().merges()).as("trial %d", trial)
                    .isEqualTo(ReferenceBpe.train(docs, specials, vocab, minFreq));
        }
    }

    @Test
    void isDeterministic() {
        Random rnd = new Random(3);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            docs.add(RandomText.mixed(rnd, 300));
        }
        BpeTrainingResult a = BpeTrainer.train(docs, config(600, 2));
        BpeTrainingResult b = BpeTrainer.train(docs.stream(), config(600, 2));
        assertThat(a.tokenizer().merges()).isEqualTo(b.tokenizer().merges());
        assertThat(a.corpusSha256()).isEqualTo(b.corpusSha256()).hasSize(64);
        assertThat(a.documents()).isEqualTo(40);
    }

    @Test
    void trainsWithTheLlama3PatternAndANormalizer() {
        BpeTrainingConfig c = config(300, 1).withSplitPattern(SplitPattern.LLAMA3)
                .withNormalizer(new UnicodeNormalizer(java.text.Normalizer.Form.NFC));
        ByteLevelBpeTokenizer t = BpeTrainer.train(List.of("e\u0301te\u0301 12345 12345"), c).tokenizer();
        assertThat(t.splitPatterns()).containsExactly(SplitPattern.LLAMA3);
        assertThat(t.decode(t.encode("e\u0301te\u0301"))).isEqualTo("\u00E9t\u00E9");
    }

    @Test
    void refusesImpossibleRequests() {
        assertThatThrownBy(() -> BpeTrainer.train(List.of("x"), config(200, 1)))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("vocabSize 200 is smaller than the 256 byte tokens plus 0 special tokens")
                .hasMessageContaining("at least 256");
        assertThatThrownBy(() -> BpeTrainer.train(List.of("x"), config(300, 1).withSpecialTokens(List.of("!"))))
                .hasMessageContaining("also one of the 256 byte tokens");
        assertThatThrownBy(() -> BpeTrainer.train(Stream.of("ok", "bad \uD800 text"), config(300, 1)))
                .hasMessageContaining("document 1").hasMessageContaining("unpaired surrogate U+D800 at index 4");
        assertThatThrownBy(() -> config(300, -1)).hasMessageContaining("minFrequency");
    }

    @Test
    void anEmptyCorpusGivesTheByteVocabulary() {
        BpeTrainingResult r = BpeTrainer.train(List.of(), config(1000, 1));
        assertThat(r.vocabSize()).isEqualTo(256);
        assertThat(r.merges()).isZero();
        ByteLevelBpeTokenizer t = r.tokenizer();
        assertThat(t.decode(t.encode("anything 你好"))).isEqualTo("anything 你好");
    }
}
