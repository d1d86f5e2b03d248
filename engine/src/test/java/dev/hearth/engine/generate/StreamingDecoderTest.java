package dev.hearth.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    private static List<String> stream(StreamingDecoder d, int[] ids) {
        List<String> deltas = new ArrayList<>();
        for (int id : ids) {
            String s = d.push(id);
            if (!s.isEmpty()) {
                deltas.add(s);
            }
            if (d.stopped()) {
                break;
            }
        }
        String rest = d.finish();
        if (!rest.isEmpty()) {
            deltas.add(rest);
        }
        return deltas;
    }

    @Test
    void charactersSplitAcrossByteTokensAreReleasedWhole() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        String text = TinyModels.MIXED;
        int[] ids = bpe.encode(text);
        // the tokenizer really does split characters: some token's bytes are not valid UTF-8 alone
        boolean split = false;
        for (int id : ids) {
            split |= bpe.decode(new int[] {id}).contains("\uFFFD");
        }
        assertThat(split).isTrue();
        StreamingDecoder d = new StreamingDecoder(bpe, List.of());
        List<String> deltas = stream(d, ids);
        assertThat(deltas).noneMatch(s -> s.contains("\uFFFD"));
        assertThat(deltas).allMatch(s -> !s.isEmpty() && !Character.isHighSurrogate(s.charAt(s.length() - 1)));
        assertThat(String.join("", deltas)).isEqualTo(text).isEqualTo(d.text());
        // deltas arrive as soon as a character is complete: never more than one character late
        assertThat(deltas.size()).isGreaterThan(text.codePointCount(0, text.length()) / 2);
    }

    @Test
    void aStopSequenceSpanningTokensCutsTheTextAndIsNeverStreamed() {
        CharTokenizer chars = TinyModels.chars();
        StreamingDecoder d = new StreamingDecoder(chars, List.of("fox j", "zzz"));
        List<String> deltas = stream(d, chars.encode("the quick brown fox jumps over"));
        assertThat(d.stopped()).isTrue();
        assertThat(String.join("", deltas)).isEqualTo("the quick brown ").isEqualTo(d.text());
        assertThat(String.join("", deltas)).doesNotContain("f");
    }

    @Test
    void textThatOnlyLooksLikeTheStartOfAStopSequenceIsReleasedLater() {
        CharTokenizer chars = TinyModels.chars();
        StreamingDecoder d = new StreamingDecoder(chars, List.of("abc"));
        assertThat(d.push(chars.encode("x")[0])).isEqualTo("x");
        assertThat(d.push(chars.encode("a")[0])).isEmpty();         // may start "abc"
        assertThat(d.push(chars.encode("b")[0])).isEmpty();
        assertThat(d.push(chars.encode("d")[0])).isEqualTo("abd");
        assertThat(d.push(chars.encode("a")[0])).isEmpty();
        assertThat(d.finish()).isEqualTo("a");                       // the end releases what was held
        assertThat(d.text()).isEqualTo("xabda");
    }

    @Test
    void theEarliestStopSequenceWins() {
        CharTokenizer chars = TinyModels.chars();
        StreamingDecoder d = new StreamingDecoder(chars, List.of("lazy", "over the"));
        List<String> deltas = stream(d, chars.encode("jumps over the lazy dog"));
        assertThat(String.join("", deltas)).isEqualTo("jumps ");
    }

    @Test
    void aStopSequenceInsideMultiByteCharactersIsFound() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        StreamingDecoder d = new StreamingDecoder(bpe, List.of("世界"));
        List<String> deltas = stream(d, bpe.encode("你好，世界！ 👋"));
        assertThat(String.join("", deltas)).isEqualTo("你好，");
        StreamingDecoder emoji = new StreamingDecoder(bpe, List.of("🎉"));
        assertThat(String.join("", stream(emoji, bpe.encode("ok 👋🎉 done")))).isEqualTo("ok 👋");
    }

    @Test
    void generationEndingInsideACharacterGivesTheReplacementAtTheEnd() {
        ByteLevelBpeTokenizer bpe = TinyModels.bpe();
        byte[] utf8 = "a你".getBytes(StandardCharsets.UTF_8);
        int[] ids = bpe.encode(java.util.Arrays.copyOf(utf8, 3));  // 'a' and two of the three bytes of 你
        StreamingDecoder d = new StreamingDecoder(bpe, List.of());
        List<String> deltas = stream(d, ids);
        assertThat(deltas).containsExactly("a", "\uFFFD");
        assertThat(d.text()).isEqualTo(bpe.decode(ids));
    }

    @Test
    void completeLengthStopsBeforeAnUnfinishedCharacter() {
        byte[] b = "a你👋".getBytes(StandardCharsets.UTF_8);          // 1 + 3 + 4 bytes
        assertThat(StreamingDecoder.completeLength(b, 1)).isEqualTo(1);
        assertThat(StreamingDecoder.completeLength(b, 2)).isEqualTo(1);
        assertThat(StreamingDecoder.completeLength(b, 3)).isEqualTo(1);
        assertThat(StreamingDecoder.completeLength(b, 4)).isEqualTo(4);
        assertThat(StreamingDecoder.completeLength(b, 5)).isEqualTo(4);
        assertThat(StreamingDecoder.completeLength(b, 7)).isEqualTo(4);
        assertThat(StreamingDecoder.completeLength(b, 8)).isEqualTo(8);
        assertThat(StreamingDecoder.completeLength(new byte[] {(byte) 0x80}, 1)).isEqualTo(1);   // stray: final
        assertThat(StreamingDecoder.completeLength(new byte[] {(byte) 0xFF}, 1)).isEqualTo(1);
    }
}
