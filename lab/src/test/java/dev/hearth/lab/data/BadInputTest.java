package dev.hearth.lab.data;

import static dev.hearth.lab.data.DataFiles.allDocuments;
import static dev.hearth.lab.data.DataFiles.bytes;
import static dev.hearth.lab.data.DataFiles.concat;
import static dev.hearth.lab.data.DataFiles.write;
import static dev.hearth.lab.data.DatasetPreparationTest.config;
import static dev.hearth.lab.data.DatasetPreparationTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {

    @TempDir
    Path tmp;

    private static final ReadingOptions LINES = ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.LINE);

    private Path good() {
        return write(tmp.resolve("in/good.txt"), "a good document with enough words to train on\n"
                + "another good one\nand a third line of text\n");
    }

    private DatasetPreparation.Config lines(Path... inputs) {
        return config(tmp.resolve("out"), inputs).withReading(LINES).withSplit(SplitMode.TAIL, 0.2);
    }

    @Test
    void anEmptyFileIsSkippedAndRecorded() {
        Path empty = write(tmp.resolve("in/empty.txt"), "");
        Path blank = write(tmp.resolve("in/blank.txt"), " \n\t\n");
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), good(), empty, blank).withSplit(SplitMode.TAIL, 0.2));
        DatasetManifest.Skipped s = r.manifest().skipped();
        assertThat(s.byReason()).containsExactly(java.util.Map.entry("empty", 2L));
        assertThat(s.records()).extracting(DatasetManifest.SkipRecord::input, DatasetManifest.SkipRecord::location,
                DatasetManifest.SkipRecord::detail).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(empty.toAbsolutePath().toString(), "file",
                                "the file is empty (0 bytes)"),
                        org.assertj.core.groups.Tuple.tuple(blank.toAbsolutePath().toString(), "file",
                                "only whitespace"));
        assertThat(r.manifest().inputs()).extracting(DatasetManifest.Input::documents).containsExactly(1L, 0L, 0L);
    }

    @Test
    void aCorpusWithNothingUsableIsAnErrorThatSaysWhy() {
        Path empty = write(tmp.resolve("in/empty.txt"), "");
        Path binary = write(tmp.resolve("in/b.txt"), new byte[] {1, 2, 0, 3});
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), empty, binary)))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining("no usable document in the 2 input files")
                .hasMessageContaining("binary: 1").hasMessageContaining("empty: 1");
        assertThat(tmp.resolve("out")).doesNotExist();   // a failed preparation leaves nothing behind

        Path jsonl = write(tmp.resolve("in/x.jsonl"), "{\"body\": \"text\"}\n");
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), jsonl)))
                .hasMessageContaining("missing field: 1").hasMessageContaining("--field");
    }

    @Test
    void binaryFilesAreSkippedWhole() {
        Path nul = write(tmp.resolve("in/image.txt"), concat(bytes("GIF89a"), new byte[] {0, 0, 1, 2}));
        byte[] gbk = new byte[600];
        for (int i = 0; i < gbk.length; i += 2) {
            gbk[i] = (byte) 0xC4;       // "你" in GBK is C4 E3: not UTF-8
            gbk[i + 1] = (byte) 0xE3;
        }
        Path other = write(tmp.resolve("in/gbk.txt"), gbk);
        Path utf16 = write(tmp.resolve("in/utf16.txt"), concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                "hello".getBytes(java.nio.charset.StandardCharsets.UTF_16LE)));
        DatasetPreparation.Result r = run(lines(good(), nul, other, utf16));
        assertThat(r.manifest().skipped().byReason()).containsEntry("binary", 2L).containsEntry("not UTF-8", 1L);
        assertThat(r.manifest().skipped().records()).extracting(DatasetManifest.SkipRecord::detail).satisfiesExactly(
                d -> assertThat(d).contains("NUL byte at byte 6"),
                d -> assertThat(d).contains("not UTF-8").contains("iconv"),
                d -> assertThat(d).contains("UTF-16LE").contains("iconv -f UTF-16LE"));
        assertThat(r.manifest().inputs().get(1).sha256()).isEqualTo(Sha256.ofBytes(DataFiles.read(nul)));
    }

    @Test
    void invalidUtf8SkipsOnlyItsDocumentWithTheByteOffset() {
        byte[] text = concat(bytes("fine line\ncaf"), new byte[] {(byte) 0xE9}, bytes(" latin-1\nanother fine\n"),
                bytes("overlong "), new byte[] {(byte) 0xC0, (byte) 0xAF}, bytes("\nsurrogate "),
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, bytes("\n"));
        Path in = write(tmp.resolve("in/mixed.txt"), concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, text));
        DatasetPreparation.Result r = run(lines(in).withSplit(SplitMode.DOCUMENT, 0.0));
        List<DatasetManifest.SkipRecord> records = r.manifest().skipped().records();
        assertThat(records).extracting(DatasetManifest.SkipRecord::location).containsExactly("line 2", "line 4",
                "line 5");
        byte[] file = DataFiles.read(in);
        int[] expected = {0xE9, 0xC0, 0xED};
        for (int i = 0; i < 3; i++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("invalid UTF-8 at byte (\\d+)")
                    .matcher(records.get(i).detail());
            assertThat(m.matches()).as(records.get(i).detail()).isTrue();
            assertThat(file[Integer.parseInt(m.group(1))] & 0xFF).isEqualTo(expected[i]);
        }
        assertThat(records.get(0).detail()).isEqualTo("invalid UTF-8 at byte 16");   // after the byte order mark
        assertThat(allDocuments(r.dir())).containsExactly("fine line", "another fine");
    }

    @Test
    void invalidUtf8InAWholeFileDocumentSkipsTheFileEvenWhenFoundLate() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("Words and more words in line ").append(i).append(".\n");
        }
        byte[] start = bytes(sb.toString());
        Path in = write(tmp.resolve("in/late.txt"), concat(start, new byte[] {(byte) 0xFF}, bytes(" tail\n")));
        DatasetPreparation.Config c = config(tmp.resolve("out"), good(), in).withSplit(SplitMode.TAIL, 0.2)
                .withChunkBytes(100);
        DatasetPreparation.Result r = run(c);
        assertThat(r.manifest().skipped().records()).singleElement().satisfies(rec -> {
            assertThat(rec.location()).isEqualTo("file");
            assertThat(rec.detail()).isEqualTo("invalid UTF-8 at byte " + start.length);
        });
        assertThat(r.manifest().inputs().get(1).documents()).isZero();
        assertThat(String.join("", allDocuments(r.dir()))).doesNotContain("Words");
    }

    @Test
    void badJsonlLinesAreSkippedWithTheirLineNumbers() {
        Path in = write(tmp.resolve("in/d.jsonl"), String.join("\n",
                "{\"text\": \"good one\"}",
                "{not json}",
                "{\"id\": 3}",
                "{\"text\": 42}",
                "[1, 2]",
                "{\"text\": \"two values\"} {\"text\": \"x\"}",
                "{\"text\": \"bad \\ud800 surrogate\"}",
                "{\"text\": \"  \"}",
                "",
                "{\"text\": \"good two\"}"));
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), in).withSplit(SplitMode.TAIL, 0.2));
        assertThat(r.manifest().skipped().records()).extracting(DatasetManifest.SkipRecord::location,
                DatasetManifest.SkipRecord::reason).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("line 2", "not JSON"),
                        org.assertj.core.groups.Tuple.tuple("line 3", "missing field"),
                        org.assertj.core.groups.Tuple.tuple("line 4", "field not a string"),
                        org.assertj.core.groups.Tuple.tuple("line 5", "missing field"),
                        org.assertj.core.groups.Tuple.tuple("line 6", "not JSON"),
                        org.assertj.core.groups.Tuple.tuple("line 7", "invalid Unicode"),
                        org.assertj.core.groups.Tuple.tuple("line 8", "empty"));
        assertThat(r.manifest().skipped().records().get(1).detail()).isEqualTo("no field 'text' (its fields: id)");
        assertThat(r.manifest().inputs().get(0).documents()).isEqualTo(2);
    }

    @Test
    void csvRowsWithTheWrongShapeAreSkippedAndAMissingColumnIsAnError() {
        Path in = write(tmp.resolve("in/t.csv"), "id,text\n1,good row\n2,too,many\n3\n4,\"never closed\n5,x\n");
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), in).withSplit(SplitMode.TAIL, 0.2));
        assertThat(r.manifest().skipped().records()).extracting(DatasetManifest.SkipRecord::location,
                DatasetManifest.SkipRecord::reason, DatasetManifest.SkipRecord::detail).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("record 2 (line 3)", "wrong number of columns",
                                "the record has 3 fields, the header 2"),
                        org.assertj.core.groups.Tuple.tuple("record 3 (line 4)", "wrong number of columns",
                                "the record has 1 field, the header 2"),
                        org.assertj.core.groups.Tuple.tuple("record 4 (line 5)", "bad CSV quoting",
                                "a quoted field opened on line 5 is never closed"));

        Path other = write(tmp.resolve("in/o.csv"), "id,body,lang\n1,x,en\n");
        assertThatThrownBy(() -> run(config(tmp.resolve("out2"), other)))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining(other.toAbsolutePath().toString())
                .hasMessageContaining("has no column 'text'; its columns are 'id', 'body', 'lang'")
                .hasMessageContaining("--column");
    }

    @Test
    void aDamagedGzipIsAnErrorNamingTheFile() throws Exception {
        Path gz = DataFiles.gzip(tmp.resolve("in/c.txt.gz"), "some text that will be cut short ".repeat(200));
        byte[] all = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), gz)))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining(gz.toAbsolutePath().toString())
                .hasMessageContaining("not a valid gzip file").hasMessageContaining("gzip -t");
        Path notGzip = write(tmp.resolve("in/d.jsonl.gz"), "plain text");
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), notGzip)))
                .hasMessageContaining(notGzip.toAbsolutePath().toString()).hasMessageContaining("Not in GZIP format");
    }

    @Test
    void missingInputsAndUnreadableTypesAreErrors() {
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), tmp.resolve("nowhere.txt"))))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining("the input " + tmp.resolve("nowhere.txt") + " does not exist");
        Path pdf = write(tmp.resolve("in/paper.pdf"), "%PDF");
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), pdf)))
                .hasMessageContaining("is not a type Hearth reads").hasMessageContaining(".txt, .jsonl");
        Path a = good();
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), a, tmp.resolve("in"))))
                .hasMessageContaining("is given twice");
    }

    @Test
    void anExistingDatasetIsReplacedOnlyWithForce() {
        Path in = good();
        DatasetPreparation.Result first = run(lines(in));
        assertThatThrownBy(() -> run(lines(in)))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining("already holds a dataset").hasMessageContaining("--force");
        assertThat(first.dir().resolve("manifest.json")).exists();
        DatasetPreparation.Result again = run(lines(in).withForce(true).withShardTokens(5));
        assertThat(again.manifest().splits().get("train").shards().size()).isGreaterThan(1);
        try (TokenDataset d = TokenDataset.open(again.dir())) {
            assertThat(d.manifest().shardTokens()).isEqualTo(5);
        }

        Path busy = tmp.resolve("busy");
        write(busy.resolve("thesis.docx"), "mine");
        assertThatThrownBy(() -> run(lines(in).withOut(busy)))
                .hasMessageContaining("holds files that are not part of a dataset").hasMessageContaining("thesis.docx");
        Path unfinished = tmp.resolve("unfinished");
        write(unfinished.resolve("train-00000.bin.tmp"), "x");
        write(unfinished.resolve("train-00003.bin"), "x");
        run(lines(in).withOut(unfinished));
        assertThat(unfinished.resolve("train-00003.bin")).doesNotExist();
        assertThat(unfinished.resolve("train-00000.bin.tmp")).doesNotExist();
    }

    @Test
    void aVocabularyLargerThanTheDataSupportsIsRecordedAndWarned() {
        Path in = write(tmp.resolve("in/small.txt"), "tiny tiny corpus corpus\n");
        RecordingListener l = new RecordingListener();
        DatasetPreparation.Result r = new DatasetPreparation(config(tmp.resolve("out"), in)
                .withTokenizer(new TokenizerChoice.TrainBpe(8000, 2)).withSplit(SplitMode.TAIL, 0.2)).run(l);
        DatasetManifest.Training t = r.manifest().tokenizer().training();
        assertThat(t.vocabSizeRequested()).isEqualTo(8000);
        assertThat(t.vocabSize()).isLessThan(300).isEqualTo(r.manifest().tokenizer().vocabSize());
        assertThat(t.stopReason()).isIn("NO_PAIRS_LEFT", "BELOW_MIN_FREQUENCY");
        assertThat(t.summary()).contains("fewer than the 8,000 asked for");
        assertThat(l.warnings).singleElement().asString().contains("fewer than the 8,000 asked for");

        assertThatThrownBy(() -> TokenizerChoice.parse("bpe:100", 2)).isInstanceOf(DataInputException.class)
                .hasMessageContaining("at least bpe:257");
        assertThat(TokenizerChoice.parse("bpe:8k", 2)).isEqualTo(new TokenizerChoice.TrainBpe(8000, 2));
        assertThat(TokenizerChoice.parse("char", 2)).isEqualTo(new TokenizerChoice.TrainChars());
    }

    @Test
    void anEmptyValSplitIsAWarningAnEmptyTrainSplitAnError() {
        Path in = good();
        RecordingListener l = new RecordingListener();
        new DatasetPreparation(lines(in).withSplit(SplitMode.DOCUMENT, 0.0)).run(l);
        assertThat(l.warnings).filteredOn(w -> w.startsWith("the val split is empty")).singleElement().asString()
                .contains("val fraction 0");

        Path one = write(tmp.resolve("one/only.txt"), "a single document");
        // find a seed that puts document 0 of only.txt in val at fraction 0.9
        long seed = 0;
        while (!new DocumentHash(seed).isValidation("only.txt", 0, 0.9)) {
            seed++;
        }
        long s = seed;
        assertThatThrownBy(() -> run(config(tmp.resolve("o3"), one).withSeed(s).withSplit(SplitMode.DOCUMENT, 0.9)))
                .isInstanceOf(DataInputException.class)
                .hasMessageContaining("fell in the val split").hasMessageContaining("--split tail");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsRead() {
        Path in = good();
        assertThatThrownBy(() -> config(tmp.resolve("out"), in).withSplit(SplitMode.DOCUMENT, 1.0))
                .hasMessageContaining("val fraction");
        assertThatThrownBy(() -> DatasetPreparation.Config.of(List.of(in), tmp, "bad name"))
                .hasMessageContaining("dataset name");
        assertThatThrownBy(() -> SplitMode.parse("random")).hasMessageContaining("'document'");
        assertThatThrownBy(() -> DocumentSeparator.parse("  ")).hasMessageContaining("blank-line");
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), in).withSeparator("<nope>")))
                .hasMessageContaining("'<nope>' is not a token of the tokenizer");
        assertThatThrownBy(() -> run(config(tmp.resolve("out"), in)
                .withTokenizer(new TokenizerChoice.FromFile(tmp.resolve("missing.json")))))
                .hasMessageContaining("missing.json");
    }
}
