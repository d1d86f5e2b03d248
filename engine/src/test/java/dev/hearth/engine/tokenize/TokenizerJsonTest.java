package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EncodeOptions RECOGNIZE = EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.RECOGNIZE);

    @TempDir
    Path dir;

    @Test
    void aHandWrittenGpt2FileEncodesToTheIdsComputedByHand() throws Exception {
        for (boolean arrays : new boolean[] {false, true}) {
            Path file = dir.resolve("gpt2-" + arrays + ".json");
            Files.writeString(file, HandWrittenFiles.gpt2(arrays));
            Tokenizer t = Tokenizer.load(file);
            assertThat(t).isInstanceOf(ByteLevelBpeTokenizer.class);
            assertThat(t.encode("hello world")).containsExactly(11, 14, 15);
            assertThat(t.encode("hello world<|endoftext|>", RECOGNIZE)).containsExactly(11, 14, 15, 16);
            assertThat(t.decode(new int[] {11, 14, 15, 16})).isEqualTo("hello world<|endoftext|>");
            assertThat(t.decode(new int[] {11, 14, 15, 16}, true)).isEqualTo("hello world");
            assertThat(t.vocabSize()).isEqualTo(17);
            assertThat(t.token(14)).isEqualTo("Ġwor");
            assertThat(((ByteLevelBpeTokenizer) t).merges()).hasSize(8).startsWith(new BpeMerge("h", "e"));
        }
    }

    @Test
    void addPrefixSpaceGivesEachPieceBetweenSpecialTokensALeadingSpace() {
        String roberta = HandWrittenFiles.gpt2(false).replaceFirst(
                "\"type\": \"ByteLevel\",\n    \"add_prefix_space\": false", "\"type\": \"ByteLevel\",\n    \"add_prefix_space\": true");
        Tokenizer t = Tokenizer.fromJson(roberta);
        assertThat(((ByteLevelBpeTokenizer) t).byteLevelOptions().addPrefixSpace()).isTrue();
        assertThat(t.encode("hello")).containsExactly(4, 11);
        assertThat(t.encode("hello world")).containsExactly(4, 11, 14, 15);
        assertThat(t.encode(" hello")).containsExactly(4, 11);
        assertThat(t.encode("hello<|endoftext|>hello", RECOGNIZE)).containsExactly(4, 11, 16, 4, 11);
        assertThat(t.decode(new int[] {4, 11})).isEqualTo(" hello");
    }

    @Test
    void aByteMissingFromATinyVocabularyIsNamed() throws Exception {
        Tokenizer t = Tokenizer.fromJson(HandWrittenFiles.gpt2(false));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.encode("hello!"))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("byte 0x21 (token '!') of the piece \"!\" is not in the vocabulary")
                .hasMessageContaining("unk_token");
    }

    @Test
    void aQwen2StyleFileSplitsDigitsNormalizesAndKnowsItsChatTokens() {
        ByteLevelBpeTokenizer t = (ByteLevelBpeTokenizer) Tokenizer.fromJson(HandWrittenFiles.qwen2());
        assertThat(t.splitPatterns()).containsExactly(SplitPattern.QWEN2);
        assertThat(t.normalizer()).isEqualTo(new UnicodeNormalizer(java.text.Normalizer.Form.NFC));
        // user: u s e r (printable ASCII c has id c - 33), " the" merges to Ġthe (258), then Ġ 1 2 3
        assertThat(t.encode("<|im_start|>user the 123<|im_end|>", RECOGNIZE))
                .containsExactly(260, 84, 82, 68, 81, 258, 220, 16, 17, 18, 261);
        // NFC: e + U+0301 becomes U+00E9, bytes C3 A9, ids 127 and 102
        assertThat(t.encode("e\u0301")).containsExactly(127, 102);
        // a non-special added token is always one id; special ones only when asked
        assertThat(t.encode("a<tool_call>b")).containsExactly(64, 262, 65);
        assertThat(t.encode("<|im_end|>")).hasSize(10);
        assertThat(t.specialTokens()).containsExactly("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    }

    @Test
    void aLlama3StyleFileIgnoresMergesForWholeWordsAndAddsBeginOfText() {
        Tokenizer t = Tokenizer.fromJson(HandWrittenFiles.llama3());
        assertThat(t.encode(" hello")).containsExactly(257);
        assertThat(t.encode(" hellox")).containsExactly(220, 256, 75, 75, 78, 87);
        assertThat(t.encode(" hello", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(258, 257);
        assertThat(t.encode("1234")).containsExactly(16, 17, 18, 19);
        assertThat(t.decode(new int[] {258, 257}, true)).isEqualTo(" hello");
    }

    @Test
    void savedThenLoadedFilesEncodeIdentically() throws Exception {
        Random rnd = new Random(4);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            docs.add(RandomText.mixed(rnd, 300));
        }
        for (SplitPattern pattern : SplitPattern.all()) {
            ByteLevelBpeTokenizer trained = BpeTrainer.train(docs, BpeTrainingConfig.gpt2(900)
                    .withSplitPattern(pattern).withSpecialTokens(List.of("<|endoftext|>"))).tokenizer()
                    .withBosEos(null, "<|endoftext|>");
            Path file = dir.resolve("trained-" + pattern.name() + ".json");
            trained.save(file);
            Tokenizer loaded = Tokenizer.load(file);
            for (int i = 0; i < 300; i++) {
                String s = RandomText.mixed(rnd, 120);
                assertThat(loaded.encode(s)).isEqualTo(trained.encode(s));
                assertThat(loaded.encode(s, EncodeOptions.HUGGING_FACE_DEFAULT))
                        .isEqualTo(trained.encode(s, EncodeOptions.HUGGING_FACE_DEFAULT));
            }
            Path again = dir.resolve("again-" + pattern.name() + ".json");
            loaded.save(again);
            assertThat(Files.readString(again)).isEqualTo(Files.readString(file));
        }
    }

    @Test
    void theWrittenFileHasHuggingFacesLayout() throws Exception {
        ByteLevelBpeTokenizer trained = BpeTrainer.train(List.of("the cat sat on the mat. the end."),
                BpeTrainingConfig.gpt2(270).withMinFrequency(1).withSpecialTokens(List.of("<|endoftext|>")))
                .tokenizer();
        Path file = dir.resolve("tokenizer.json");
        trained.save(file);
        String text = Files.readString(file);
        assertThat(text).startsWith("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n");
        JsonNode root = JSON.readTree(text);
        assertThat(root.fieldNames()).toIterable().containsExactly("version", "truncation", "padding",
                "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model");
        assertThat(root.get("added_tokens").get(0).fieldNames()).toIterable()
                .containsExactly("id", "content", "single_word", "lstrip", "rstrip", "normalized", "special");
        assertThat(root.at("/pre_tokenizer/type").asText()).isEqualTo("ByteLevel");
        assertThat(root.at("/pre_tokenizer/use_regex").asBoolean()).isTrue();
        assertThat(root.at("/decoder/type").asText()).isEqualTo("ByteLevel");
        JsonNode model = root.get("model");
        assertThat(model.fieldNames()).toIterable().containsExactly("type", "dropout", "unk_token",
                "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges",
                "vocab", "merges");
        assertThat(model.get("vocab").get("<|endoftext|>").asInt()).isZero();
        assertThat(model.get("vocab").get("!").asInt()).isEqualTo(1);
        // (a, t), (h, e) and (t, h) all occur 3 times; (a, t) has the smallest ids (64, 83)
        assertThat(model.get("merges").get(0).asText()).isEqualTo("a t");
        assertThat(model.get("vocab").size()).isEqualTo(270);
    }

    @Test
    void theBertFileRoundTrips() throws Exception {
        Tokenizer bert = Tokenizer.fromJson(HandWrittenFiles.bert(100));
        Path file = dir.resolve("bert.json");
        bert.save(file);
        Tokenizer loaded = Tokenizer.load(file);
        String text = "Unaffable, HÉLLO! 你好 [SEP] xyz";
        assertThat(loaded.encode(text, EncodeOptions.HUGGING_FACE_DEFAULT))
                .isEqualTo(bert.encode(text, EncodeOptions.HUGGING_FACE_DEFAULT));
        JsonNode root = JSON.readTree(Files.readString(file));
        assertThat(root.at("/model/type").asText()).isEqualTo("WordPiece");
        assertThat(root.at("/normalizer/type").asText()).isEqualTo("BertNormalizer");
        assertThat(root.at("/normalizer/strip_accents").isNull()).isTrue();
        assertThat(root.at("/post_processor/single/0/SpecialToken/id").asText()).isEqualTo("[CLS]");
    }

    @Test
    void bertAndRobertaProcessingReadAsTemplates() {
        String bertProcessing = HandWrittenFiles.bert(100).replaceFirst("(?s)\"post_processor\": \\{.*?\"decoder\"",
                "\"post_processor\": {\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 3], \"cls\": [\"[CLS]\", 2]},\n"
                        + "  \"decoder\"");
        Tokenizer t = Tokenizer.fromJson(bertProcessing);
        assertThat(t.encode("the", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(2, 5, 3);
        String roberta = bertProcessing.replace("BertProcessing", "RobertaProcessing");
        assertThat(Tokenizer.fromJson(roberta).encode("the", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(2, 5, 3);
    }
}
