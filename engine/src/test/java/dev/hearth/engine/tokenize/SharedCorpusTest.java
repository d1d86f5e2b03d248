package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training and encoding on the real English and Chinese corpora (skipped when ../shared/data is absent). */
class SharedCorpusTest {
    @TempDir
    Path dir;

    @Test
    void trainsOnShakespeareAndChineseFortunesAndRoundTrips() {
        String en = SharedData.text("tinyshakespeare.txt");
        String zh = SharedData.text("zh-fortunes.txt");
        BpeTrainingResult r = BpeTrainer.train(List.of(en, zh), BpeTrainingConfig.gpt2(3000)
                .withSpecialTokens(List.of("<|endoftext|>")));
        assertThat(r.stopReason()).isEqualTo(BpeTrainingResult.StopReason.VOCAB_SIZE_REACHED);
        assertThat(r.bytes()).isGreaterThan(3_000_000);
        ByteLevelBpeTokenizer t = r.tokenizer();
        for (String text : List.of(en, zh)) {
            int[] ids = t.encode(text);
            assertThat(t.decode(ids)).isEqualTo(text);
            assertThat(text.getBytes(StandardCharsets.UTF_8).length / (double) ids.length).isGreaterThan(2.5);
        }
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        Tokenizer loaded = Tokenizer.load(file);
        String sample = zh.substring(0, 20000) + en.substring(0, 20000);
        assertThat(loaded.encode(sample)).isEqualTo(t.encode(sample));
    }

    @Test
    void equalsTheReferenceTrainerAndEncoderOnAnExcerpt() {
        String en = SharedData.text("tinyshakespeare.txt").substring(0, 20_000);
        String zh = SharedData.text("zh-fortunes.txt").substring(0, 6_000);
        List<String> docs = List.of(en, zh);
        ByteLevelBpeTokenizer t = BpeTrainer.train(docs, BpeTrainingConfig.gpt2(500)).tokenizer();
        List<BpeMerge> expected = ReferenceBpe.train(docs, List.of(), 500, 2);
        assertThat(t.merges()).isEqualTo(expected);
        List<String> pieces = new ArrayList<>(ReferenceBpe.findAll(ReferenceBpe.GPT2, zh));
        pieces.addAll(ReferenceBpe.findAll(ReferenceBpe.GPT2, en.substring(0, 5000)));
        for (String piece : pieces) {
            List<String> tokens = Arrays.stream(t.encode(piece)).mapToObj(t::token).toList();
            assertThat(tokens).isEqualTo(ReferenceBpe.encodeWord(ReferenceBpe.byteLevel(piece), expected));
        }
    }
}
