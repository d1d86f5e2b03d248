package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void idsAreTheSortedCodePointsOfTheCorpus() {
        CharTokenizer t = CharTokenizer.train("hello world\n");
        assertThat(t.characters()).isEqualTo("\n dehlorw");
        assertThat(t.vocabSize()).isEqualTo(9);
        assertThat(t.encode("hello")).containsExactly(4, 3, 5, 5, 6);
        assertThat(t.decode(t.encode("hello world\n"))).isEqualTo("hello world\n");
    }

    @Test
    void anAstralCharacterIsOneId() {
        CharTokenizer t = CharTokenizer.train("a😀b你");
        assertThat(t.vocabSize()).isEqualTo(4);
        assertThat(t.encode("😀😀a")).containsExactly(3, 3, 0);
        assertThat(t.token(3)).isEqualTo("😀");
        assertThat(t.tokenId("你")).hasValue(2);
    }

    @Test
    void anUnknownCharacterIsAnErrorNamingItOrTheUnknownToken() {
        CharTokenizer strict = CharTokenizer.train("abc");
        assertThatThrownBy(() -> strict.encode("abcé"))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("the character 'é' (U+00E9) at index 3 is not in the vocabulary of 3 characters")
                .hasMessageContaining("withUnknownToken");
        CharTokenizer lenient = CharTokenizer.train(List.of("abc"), CharTokenizerConfig.CHARACTERS_ONLY
                .withUnknownToken("<unk>").withSpecialTokens(List.of("<|endoftext|>")));
        assertThat(lenient.encode("aé😀c")).containsExactly(0, 3, 3, 2);
        assertThat(lenient.specialTokens()).containsExactly("<unk>", "<|endoftext|>");
        assertThat(lenient.encode("a<|endoftext|>", EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.RECOGNIZE)))
                .containsExactly(0, 4);
        assertThat(lenient.decode(new int[] {0, 3, 4, 1}, true)).isEqualTo("ab");
    }

    @Test
    void savesAsAHuggingFaceWordLevelFileAndLoadsBack() throws Exception {
        CharTokenizer t = CharTokenizer.train(List.of("to be, or not to be\n", "你好 👋"),
                CharTokenizerConfig.CHARACTERS_ONLY.withSpecialTokens(List.of("<|endoftext|>")));
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        assertThat(root.at("/model/type").asText()).isEqualTo("WordLevel");
        assertThat(root.at("/pre_tokenizer/type").asText()).isEqualTo("Split");
        assertThat(root.at("/pre_tokenizer/pattern/Regex").asText()).isEqualTo("[\\s\\S]");
        assertThat(root.at("/decoder/type").asText()).isEqualTo("Fuse");
        assertThat(root.at("/model/vocab/\n").asInt()).isZero();
        Tokenizer loaded = Tokenizer.load(file);
        assertThat(loaded).isInstanceOf(CharTokenizer.class);
        String text = "not to be 你好👋<|endoftext|>";
        EncodeOptions recognize = EncodeOptions.PLAIN.withSpecialTokens(SpecialTokenPolicy.RECOGNIZE);
        assertThat(loaded.encode(text, recognize)).isEqualTo(t.encode(text, recognize));
        assertThat(loaded.decode(loaded.encode(text, recognize))).isEqualTo(text);
        assertThatThrownBy(() -> loaded.encode("x")).hasMessageContaining("'x' (U+0078) at index 0");
        Path again = dir.resolve("again.json");
        loaded.save(again);
        assertThat(Files.readString(again)).isEqualTo(Files.readString(file));
    }

    @Test
    void aWordLevelFileThatIsNotCharacterLevelIsRefused() {
        String json = """
                {"model": {"type": "WordLevel", "vocab": {"hello": 0, "world": 1}, "unk_token": "<unk>"},
                 "pre_tokenizer": {"type": "Whitespace"}, "decoder": null}
                """;
        assertThatThrownBy(() -> Tokenizer.fromJson(json))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("pre_tokenizer: {\"type\":\"Whitespace\"} is not supported for a WordLevel model");
    }

    @Test
    void nanoGptShakespeareCharHasSixtyFiveCharacters() {
        String text = SharedData.text("tinyshakespeare.txt");
        CharTokenizer t = CharTokenizer.train(text);
        assertThat(t.vocabSize()).isEqualTo(65);
        assertThat(t.characters()).startsWith("\n !$&',-.3:;?ABC").endsWith("xyz");
        int[] ids = t.encode(text);
        assertThat(ids).hasSize(text.length());
        assertThat(t.decode(ids)).isEqualTo(text);
    }
}
