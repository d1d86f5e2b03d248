package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPrepareCommandTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Hearth.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private Path corpus() throws Exception {
        Path dir = tmp.resolve("corpus");
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
        }
        Files.writeString(dir.resolve("a.txt"), sb, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("b.jsonl"), "{\"text\": \"床前明月光，疑是地上霜。\"}\nnot json\n",
                StandardCharsets.UTF_8);
        Files.write(dir.resolve("empty.txt"), new byte[0]);
        return dir;
    }

    @Test
    void preparesIntoTheWorkspaceAndSummarises() throws Exception {
        Path home = tmp.resolve("home");
        Run r = hearth("data", "prepare", corpus().toString(), "--home", home.toString(), "--name", "tiny",
                "--tokenizer", "bpe:300", "--doc-separator", "line", "--shard-tokens", "500");
        assertThat(r.code()).as(r.err()).isZero();
        Path ds = home.resolve("datasets/tiny");
        assertThat(ds.resolve("manifest.json")).exists();
        assertThat(ds.resolve("tokenizer.json")).exists();
        assertThat(ds.resolve("train-00001.bin")).exists();
        assertThat(r.out()).contains("tokenizer: byte-level-bpe, 300 tokens (trained here), separator <|endoftext|>")
                .containsPattern("train: +\\d+ documents, [\\d,]+ tokens in \\d+ shards")
                .contains("val:").contains("bytes per token")
                .contains("skipped:   2 (empty: 1, not JSON: 1)")
                .contains("dataset " + ds.toAbsolutePath())
                .contains("reading 100%").contains("encoding 100%").contains("training tokenizer 100%");

        Run again = hearth("data", "prepare", corpus().toString(), "--home", home.toString(), "--name", "tiny");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("error: ").contains("already holds a dataset").contains("--force");
    }

    @Test
    void charTailAndOutFolderAndWarnings() throws Exception {
        Path text = tmp.resolve("one.txt");
        Files.writeString(text, "To be, or not to be: that is the question.\n".repeat(20));
        Path out = tmp.resolve("elsewhere/hamlet");
        Run r = hearth("data", "prepare", text.toString(), "--out", out.toString(), "--tokenizer", "char", "--split",
                "tail");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("tokenizer: char, 18 tokens (trained here), no separator")
                .contains("train:     1 documents, 774 tokens").contains("val:       1 documents, 86 tokens");
        assertThat(Files.readString(out.resolve("manifest.json"))).contains("\"name\" : \"hamlet\"");

        Run big = hearth("data", "prepare", text.toString(), "--out", tmp.resolve("big").toString(), "--tokenizer",
                "bpe:5000", "--split", "tail");
        assertThat(big.code()).as(big.err()).isZero();
        assertThat(big.err()).contains("warning: the tokenizer has").contains("fewer than the 5,000 asked for");
    }

    @Test
    void mistakesGiveClearErrors() throws Exception {
        Path home = tmp.resolve("home");
        Run noName = hearth("data", "prepare", corpus().toString(), "--home", home.toString());
        assertThat(noName.code()).isEqualTo(1);
        assertThat(noName.err()).contains("--name");
        Run missing = hearth("data", "prepare", tmp.resolve("nope.txt").toString(), "--home", home.toString(),
                "--name", "x");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
        Run badSplit = hearth("data", "prepare", corpus().toString(), "--home", home.toString(), "--name", "x",
                "--split", "random");
        assertThat(badSplit.code()).isEqualTo(1);
        assertThat(badSplit.err()).contains("unknown split mode 'random'");
        Run badVocab = hearth("data", "prepare", corpus().toString(), "--home", home.toString(), "--name", "x",
                "--tokenizer", "bpe:100");
        assertThat(badVocab.code()).isEqualTo(1);
        assertThat(badVocab.err()).contains("at least bpe:257");
        Run usage = hearth("data", "prepare", "--name", "x");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("INPUT");
    }

    @Test
    void helpListsTheOptions() {
        Run r = hearth("data", "prepare", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--tokenizer", "--doc-separator", "--val-fraction", "--split", "--shard-tokens",
                "--force", "--field", "--column");
        assertThat(hearth("data").out()).contains("prepare");
    }
}
