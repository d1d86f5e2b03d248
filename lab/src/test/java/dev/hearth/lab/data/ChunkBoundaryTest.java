package dev.hearth.lab.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.tokenize.BertNormalizer;
import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.SplitPattern;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.UnicodeNormalizer;
import dev.hearth.engine.tokenize.WordPieceTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting a document where {@link ChunkBoundary} allows gives the ids of the whole, for every kind of tokenizer. */
class ChunkBoundaryTest {

    @TempDir
    Path tmp;

    private static final String[] WORDS = {"the", "quick", "fox", "It's", "they'll", "DON'T", "naïve", "cafe\u0301",
        "straße", "ΣΟΦΟΣ", "床前", "明月光", "疑是地上霜", "42", "3.14", "x1", "😀", "é", "Ⅻ", "ﬁne", "x", "a", "中"};
    private static final String[] GLUE = {" ", "  ", "\n", "\r\n", "\n\n", "\t", ". ", ", ", "! ", "?", ";", ":", "。",
        "，", "！", "？", "；", "：", "、", "'", "\"", "(", ")", "—", "...", " \u3000", "\u00a0", "-", "'s ", ",\n"};

    static String randomText(Random rnd, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(WORDS[rnd.nextInt(WORDS.length)]);
            sb.append(rnd.nextInt(3) == 0 ? GLUE[rnd.nextInt(GLUE.length)] : rnd.nextBoolean() ? " " : "");
        }
        return sb.toString();
    }

    /** The pieces of {@code text} when cut at every boundary found at or after {@code every} bytes. */
    static List<String> pieces(String text, int every, boolean spacesOnly) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int rel = ChunkBoundary.find(java.util.Arrays.copyOfRange(b, start, b.length), every, b.length - start,
                    spacesOnly);
            if (rel < 0) {
                break;
            }
            out.add(new String(b, start, rel, StandardCharsets.UTF_8));
            start += rel;
        }
        out.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
        return out;
    }

    private static void assertSameIds(Tokenizer t, String text, boolean spacesOnly) {
        List<String> parts = pieces(text, 1, spacesOnly);
        assertThat(parts.size()).isGreaterThan(10);
        assertThat(String.join("", parts)).isEqualTo(text);
        List<Integer> joined = new ArrayList<>();
        for (String p : parts) {
            for (int id : t.encode(p)) {
                joined.add(id);
            }
        }
        assertThat(joined).as(t.toString()).containsExactly(
                java.util.Arrays.stream(t.encode(text)).boxed().toArray(Integer[]::new));
    }

    @Test
    void byteLevelBpeWithEveryPreTokenizerAndNormalizer() throws Exception {
        Random rnd = new Random(11);
        List<String> corpus = List.of(randomText(rnd, 3000));
        List<Tokenizer> tokenizers = new ArrayList<>();
        for (SplitPattern p : List.of(SplitPattern.GPT2, SplitPattern.LLAMA3, SplitPattern.QWEN2)) {
            tokenizers.add(BpeTrainer.train(corpus, BpeTrainingConfig.gpt2(700).withSplitPattern(p)).tokenizer());
            tokenizers.add(BpeTrainer.train(corpus, BpeTrainingConfig.gpt2(700).withSplitPattern(p)
                    .withNormalizer(new UnicodeNormalizer(Normalizer.Form.NFC))).tokenizer());
        }
        tokenizers.add(CharTokenizer.train(corpus.get(0)));
        for (int t = 0; t < 20; t++) {
            String text = randomText(rnd, 400);
            for (Tokenizer tok : tokenizers) {
                assertSameIds(tok, text, false);
            }
        }
    }

    @Test
    void prefixSpaceTokenizersAreCutOnlyAtSpaces() throws Exception {
        Random rnd = new Random(12);
        Path file = tmp.resolve("t.json");
        BpeTrainer.train(List.of(randomText(rnd, 2000)), BpeTrainingConfig.gpt2(500)).tokenizer().save(file);
        Files.writeString(file, Files.readString(file).replace("\"add_prefix_space\": false",
                "\"add_prefix_space\": true"));
        Tokenizer prefixed = Tokenizer.load(file);
        assertThat(prefixed.encode("hello")).isEqualTo(prefixed.encode(" hello"));
        for (int t = 0; t < 20; t++) {
            String text = randomText(rnd, 400);
            assertSameIds(prefixed, text, true);
            assertThat(pieces(text, 1, true).subList(1, pieces(text, 1, true).size())).allMatch(p -> p.startsWith(" "));
        }
    }

    @Test
    void wordPiece() throws Exception {
        Path vocab = tmp.resolve("vocab.txt");
        Files.write(vocab, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "quick", "fox", "it", "'", "s", "##s",
                "床", "前", "明", "月", ".", ",", "!", "?", "。", "，", "x", "##1", "a", "naive", "cafe", "中", "##e"));
        WordPieceTokenizer bert = WordPieceTokenizer.fromVocabTxt(vocab, BertNormalizer.uncased());
        Random rnd = new Random(13);
        for (int t = 0; t < 20; t++) {
            assertSameIds(bert, randomText(rnd, 400), false);
        }
    }

    @Test
    void cutsOnlyAfterALetter() {
        byte[] b = "ab. 12 x,中。y 3 z".getBytes(StandardCharsets.UTF_8);
        List<Integer> cuts = new ArrayList<>();
        for (int from = 0; ; ) {
            int p = ChunkBoundary.find(b, from, b.length, false);
            if (p < 0) {
                break;
            }
            cuts.add(p);
            from = p + 1;
        }
        // "ab|." , "x|,", "中|。" : not after '.', '2', or before '3'
        assertThat(cuts).containsExactly(2, 8, 12);
    }
}
