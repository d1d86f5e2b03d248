package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ByteLevelBpeTokenizerTest {
    private static final ByteLevelBpeTokenizer TOKENIZER = train();

    private static ByteLevelBpeTokenizer train() {
        Random rnd = new Random(11);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            docs.add(RandomText.mixed(rnd, 200));
            docs.add("The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。 It's 12:30!");
        }
        return BpeTrainer.train(docs, BpeTrainingConfig.gpt2(1200)
                .withSpecialTokens(List.of("<|endoftext|>", "<|pad|>"))).tokenizer();
    }

    @Test
    void roundTripsArbitraryUnicode() {
        Random rnd = new Random(1);
        for (int i = 0; i < 2000; i++) {
            String s = i % 2 == 0 ? RandomText.codePoints(rnd, rnd.nextInt(40)) : RandomText.mixed(rnd, rnd.nextInt(80));
            int[] ids = TOKENIZER.encode(s);
            assertThat(TOKENIZER.decode(ids)).isEqualTo(s);
            assertThat(TOKENIZER.decodeBytes(ids)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
            assertThat(TOKENIZER.encode(s.getBytes(StandardCharsets.UTF_8))).isEqualTo(ids);
        }
    }

    @Test
    void roundTripsChineseEmojiZwjAndCombiningMarks() {
        for (String s : List.of("你好，世界！", "👨‍👩‍👧 family", "🇫🇷🏳️‍🌈", "e\u0301\u0301\u0301", "\u0301 leading mark",
                "𠀀𪛖 rare ideographs", "ＡＢＣ１２３", "\u0000\u0001\u007F controls", "\r\n\t \u00A0\u3000", "")) {
            assertThat(TOKENIZER.decode(TOKENIZER.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void roundTripsRandomBytesExactly() {
        Random rnd = new Random(2);
        for (int i = 0; i < 3000; i++) {
            byte[] b = RandomText.bytes(rnd, rnd.nextInt(50));
            int[] ids = TOKENIZER.encode(b);
            assertThat(TOKENIZER.decodeBytes(ids)).isEqualTo(b);
        }
        byte[] invalid = {(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF4, (byte) 0x90,
            (byte) 0x80, (byte) 0x80, (byte) 0xFF, 'a', (byte) 0xE4, (byte) 0xBD};
        assertThat(TOKENIZER.decodeBytes(TOKENIZER.encode(invalid))).isEqualTo(invalid);
        assertThat(TOKENIZER.decode(TOKENIZER.encode(invalid))).contains("\uFFFD").contains("a");
    }

    @Test
    void textWithAnUnpairedSurrogateIsRefusedWithItsIndex() {
        assertThatThrownBy(() -> TOKENIZER.encode("ok\uDC00"))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("unpaired surrogate U+DC00 at index 2")
                .hasMessageContaining("encode(byte[])");
    }

    @Test
    void specialTokensAreTextUnlessTheCallerAsks() {
        int eot = TOKENIZER.specialTokenId("<|endoftext|>").orElseThrow();
        String text = "a<|endoftext|>b";
        int[] plain = TOKENIZER.encode(text);
        assertThat(plain).doesNotContain(eot);
        assertThat(TOKENIZER.decode(plain)).isEqualTo(text);

        int[] recognized = TOKENIZER.encode(text, EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.RECOGNIZE));
        assertThat(recognized).contains(eot);
        assertThat(recognized.length).isLessThan(plain.length);
        assertThat(TOKENIZER.decode(recognized)).isEqualTo(text);
        assertThat(TOKENIZER.decode(recognized, true)).isEqualTo("ab");

        assertThatThrownBy(() -> TOKENIZER.encode(text, EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.REJECT)))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("special token '<|endoftext|>' at index 1")
                .hasMessageContaining("RECOGNIZE");
        assertThat(TOKENIZER.encode("no specials", EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.REJECT)))
                .isEqualTo(TOKENIZER.encode("no specials"));
    }

    @Test
    void theTemplateAddsBosAndEosOnlyWhenAsked() {
        ByteLevelBpeTokenizer t = TOKENIZER.withBosEos("<|pad|>", "<|endoftext|>");
        int[] body = t.encode("hello");
        int[] wrapped = t.encode("hello", EncodeOptions.PLAIN.withTemplate(true));
        assertThat(wrapped).hasSize(body.length + 2);
        assertThat(wrapped[0]).isEqualTo(t.specialTokenId("<|pad|>").orElseThrow());
        assertThat(wrapped[wrapped.length - 1]).isEqualTo(t.specialTokenId("<|endoftext|>").orElseThrow());
        assertThat(t.decode(wrapped, true)).isEqualTo("hello");
        assertThatThrownBy(() -> TOKENIZER.withBosEos("<s>", null)).hasMessageContaining("'<s>' is not a special token");
    }

    @Test
    void encodesEachWordAsTheReferenceBpeDoes() {
        List<BpeMerge> merges = TOKENIZER.merges();
        Random rnd = new Random(5);
        for (int i = 0; i < 500; i++) {
            String text = RandomText.mixed(rnd, 1 + rnd.nextInt(40));
            List<String> expected = new ArrayList<>();
            for (String piece : ReferenceBpe.findAll(ReferenceBpe.GPT2, text)) {
                expected.addAll(ReferenceBpe.encodeWord(ReferenceBpe.byteLevel(piece), merges));
            }
            List<String> actual = Arrays.stream(TOKENIZER.encode(text)).mapToObj(TOKENIZER::token).toList();
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void aFreshCacheAndAWarmOneGiveTheSameIds() {
        Random rnd = new Random(8);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add(RandomText.mixed(rnd, 100));
        }
        List<int[]> warm = texts.stream().map(TOKENIZER::encode).toList();
        List<int[]> again = texts.stream().map(TOKENIZER::encode).toList();
        ByteLevelBpeTokenizer fresh = TOKENIZER.withPostProcessor(null);
        for (int i = texts.size() - 1; i >= 0; i--) {
            assertThat(fresh.encode(texts.get(i))).isEqualTo(warm.get(i)).isEqualTo(again.get(i));
        }
    }

    @Test
    void manyThreadsEncodeTheSameAsOne() throws Exception {
        Random rnd = new Random(9);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            texts.add(RandomText.mixed(rnd, 120));
        }
        ByteLevelBpeTokenizer fresh = TOKENIZER.withPostProcessor(null);
        List<int[]> expected = texts.stream().map(TOKENIZER::encode).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int th = 0; th < 4; th++) {
                int seed = th;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int k = 0; k < 2000; k++) {
                        int i = r.nextInt(texts.size());
                        if (!Arrays.equals(fresh.encode(texts.get(i)), expected.get(i))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        }
    }

    @Test
    void idsOutsideTheVocabularyAreErrors() {
        assertThatThrownBy(() -> TOKENIZER.decode(new int[] {5, 99999}))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("id 99999 at index 1 is not in the vocabulary (ids 0..1199)");
        assertThatThrownBy(() -> TOKENIZER.token(-1)).hasMessageContaining("id -1 is not in the vocabulary");
    }

    @Test
    void tokensDisplayAsInHuggingFaceFiles() {
        assertThat(TOKENIZER.vocabSize()).isEqualTo(1200);
        int[] ids = TOKENIZER.encode(" the");
        assertThat(TOKENIZER.token(ids[0])).startsWith("Ġ");
        assertThat(TOKENIZER.token(TOKENIZER.specialTokenId("<|endoftext|>").orElseThrow())).isEqualTo("<|endoftext|>");
        assertThat(TOKENIZER.tokenId("Ċ")).isPresent();
        assertThat(TOKENIZER.specialTokenId("Ċ")).isEmpty();
    }
}
