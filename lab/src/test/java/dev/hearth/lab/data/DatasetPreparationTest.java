package dev.hearth.lab.data;

import static dev.hearth.lab.data.DataFiles.allDocuments;
import static dev.hearth.lab.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPreparationTest {

    @TempDir
    Path tmp;

    static final String ENGLISH = "The quick brown fox jumps over the lazy dog. The dog sleeps, and the fox runs away "
            + "into the forest, where the trees are tall and the rivers are cold.\n";
    static final String CHINESE = "床前明月光，疑是地上霜。举头望明月，低头思故乡。春眠不觉晓，处处闻啼鸟。\n";

    static DatasetPreparation.Config config(Path out, Path... inputs) {
        return DatasetPreparation.Config.of(List.of(inputs), out, "test")
                .withTokenizer(new TokenizerChoice.TrainBpe(300, 2)).withThreads(2);
    }

    static DatasetPreparation.Result run(DatasetPreparation.Config c) {
        return new DatasetPreparation(c).run(DatasetPreparation.Listener.NONE);
    }

    @Test
    void txtLinesRoundTripThroughBothSplits() {
        Path in = write(tmp.resolve("in/lines.txt"), "alpha one\r\nbeta two\ngamma three\n\ndelta four\n" + ENGLISH);
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), in)
                .withReading(ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.LINE)).withSplit(SplitMode.DOCUMENT, 0.5));
        assertThat(allDocuments(r.dir())).containsExactlyInAnyOrder("alpha one", "beta two", "gamma three",
                "delta four", ENGLISH.strip());
        DatasetManifest m = r.manifest();
        assertThat(m.skipped().byReason()).containsEntry("empty", 1L);
        assertThat(m.skipped().records()).singleElement().satisfies(rec -> {
            assertThat(rec.location()).isEqualTo("line 4");
            assertThat(rec.input()).isEqualTo(in.toAbsolutePath().toString());
        });
        assertThat(m.inputs()).singleElement().satisfies(i -> {
            assertThat(i.documents()).isEqualTo(5);
            assertThat(i.skipped()).isEqualTo(1);
            assertThat(i.key()).isEqualTo("lines.txt");
        });
        assertThat(m.splits().get("train").documents() + m.splits().get("val").documents()).isEqualTo(5);
        assertThat(m.separatorToken()).isEqualTo("<|endoftext|>");
        assertThat(m.separatorId()).isZero();
        assertThat(m.dtype()).isEqualTo("uint16");
        assertThat(m.tokenizer().kind()).isEqualTo("byte-level-bpe");
    }

    @Test
    void txtWholeFileParagraphsAndLiteralSeparators() throws Exception {
        String text = "first paragraph\nstill first\n\n\n  \nsecond paragraph\n\nthird\n";
        Path in = write(tmp.resolve("p.txt"), text);
        List<String> whole = allDocuments(run(config(tmp.resolve("whole"), in).withSplit(SplitMode.TAIL, 0.1)).dir());
        assertThat(String.join("", whole)).isEqualTo(text);   // tail: train part + val part = the file exactly

        List<String> paragraphs = allDocuments(run(config(tmp.resolve("para"), in)
                .withReading(ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.BLANK_LINE))
                .withSplit(SplitMode.DOCUMENT, 0.4)).dir());
        assertThat(paragraphs).containsExactlyInAnyOrder("first paragraph\nstill first", "second paragraph", "third");

        Path fortunes = write(tmp.resolve("f.txt"), "要有礼貌\n\n在 Debian 中\n%\n善意推定\n%\n%\n  \n%\nlast one");
        DatasetPreparation.Result r = run(config(tmp.resolve("lit"), fortunes)
                .withReading(ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.literal("%")))
                .withSplit(SplitMode.DOCUMENT, 0.4));
        assertThat(allDocuments(r.dir())).containsExactlyInAnyOrder("要有礼貌\n\n在 Debian 中", "善意推定", "last one");
        assertThat(r.manifest().skipped().byReason()).containsEntry("empty", 1L);
        assertThat(r.manifest().reading().docSeparator()).isEqualTo("literal:%");
    }

    @Test
    void jsonlFieldsNestedFieldsAndGzip() {
        Path a = write(tmp.resolve("a.jsonl"), "{\"text\": \"hello world\", \"id\": 1}\n\n{\"text\": \"你好，世界\"}\n");
        Path b = DataFiles.gzip(tmp.resolve("b.ndjson.gz"), "{\"text\": \"from gzip \\u00e9\\ud83d\\ude00\"}\n");
        DatasetPreparation.Result r = run(config(tmp.resolve("o1"), a, b).withSplit(SplitMode.DOCUMENT, 0.3));
        assertThat(allDocuments(r.dir())).containsExactlyInAnyOrder("hello world", "你好，世界", "from gzip é😀");
        assertThat(r.manifest().inputs()).extracting(DatasetManifest.Input::format, DatasetManifest.Input::gzip)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("jsonl", false),
                        org.assertj.core.groups.Tuple.tuple("jsonl", true));
        assertThat(r.manifest().inputs().get(1).bytes()).isEqualTo(DataFiles.read(b).length);

        Path nested = write(tmp.resolve("n.jsonl"), "{\"meta\": {\"body\": \"nested text\"}}\n"
                + "{\"messages\": [{\"content\": \"some content here\"}]}\n");
        DatasetPreparation.Result n = run(config(tmp.resolve("o2"), nested)
                .withReading(ReadingOptions.DEFAULTS.withField("meta.body")).withSplit(SplitMode.TAIL, 0.1));
        assertThat(n.manifest().skipped().byReason()).containsEntry("missing field", 1L);
        assertThat(String.join("", allDocuments(n.dir()))).isEqualTo("nested text");
        DatasetPreparation.Result arr = run(config(tmp.resolve("o3"), nested)
                .withReading(ReadingOptions.DEFAULTS.withField("messages.0.content")).withSplit(SplitMode.TAIL, 0.1));
        assertThat(arr.manifest().splits().get("train").documents()).isEqualTo(1);
    }

    @Test
    void csvWithQuotesLineBreaksAndTsv() {
        String csv = "id,text,lang\r\n"
                + "1,plain text,en\r\n"
                + "2,\"with, comma and \"\"quotes\"\"\",en\r\n"
                + "3,\"two\r\nlines\",en\r\n"
                + "4,中文的文本,zh\r\n"
                + "5,trailing field,\r\n";
        Path in = write(tmp.resolve("t.csv"), csv);
        Path tsv = write(tmp.resolve("t.tsv"), "text\tother\nfrom tsv\tx\n");
        DatasetPreparation.Result r = run(config(tmp.resolve("o"), in, tsv).withSplit(SplitMode.DOCUMENT, 0.3));
        assertThat(allDocuments(r.dir())).containsExactlyInAnyOrder("plain text", "with, comma and \"quotes\"",
                "two\r\nlines", "中文的文本", "trailing field", "from tsv");
        assertThat(r.manifest().skipped().count()).isZero();

        Path semi = write(tmp.resolve("semi.csv"), "sex;text\nm;semicolon separated\n");
        DatasetPreparation.Result s = run(config(tmp.resolve("o2"), semi)
                .withReading(ReadingOptions.DEFAULTS.withDelimiter(';')).withSplit(SplitMode.TAIL, 0.1));
        assertThat(String.join("", allDocuments(s.dir()))).isEqualTo("semicolon separated");
    }

    @Test
    void foldersAreReadRecursivelyInOrderSkippingHiddenAndUnsupportedFiles() {
        Path dir = tmp.resolve("corpus");
        write(dir.resolve("b/two.txt"), "two");
        write(dir.resolve("a.txt"), "one");
        write(dir.resolve("c.jsonl"), "{\"text\": \"three\"}\n");
        write(dir.resolve(".hidden.txt"), "hidden");
        write(dir.resolve(".git/x.txt"), "hidden too");
        write(dir.resolve("notes.md"), "not read");
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), dir).withSplit(SplitMode.DOCUMENT, 0.0));
        assertThat(r.manifest().inputs()).extracting(DatasetManifest.Input::key)
                .containsExactly("a.txt", "b/two.txt", "c.jsonl");
        assertThat(r.manifest().skipped().records()).singleElement().satisfies(rec -> {
            assertThat(rec.reason()).isEqualTo("unsupported file type");
            assertThat(rec.input()).endsWith("notes.md");
        });
        assertThat(allDocuments(r.dir())).containsExactly("one", "two", "three");
    }

    @Test
    void sameInputsAndSeedGiveIdenticalBytesWhateverTheThreads() {
        Path in = write(tmp.resolve("d.txt"), DataFiles.numberedLines("doc", 300) + CHINESE.repeat(20));
        ReadingOptions lines = ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.LINE);
        DatasetPreparation.Result a = run(config(tmp.resolve("a"), in).withReading(lines).withThreads(1));
        DatasetPreparation.Result b = run(config(tmp.resolve("b"), in).withReading(lines).withThreads(3));
        DatasetPreparation.Result c = run(config(tmp.resolve("c"), in).withReading(lines).withSeed(99));
        for (String f : List.of("tokenizer.json", "train-00000.bin", "val-00000.bin")) {
            assertThat(DataFiles.read(a.dir().resolve(f))).as(f).isEqualTo(DataFiles.read(b.dir().resolve(f)));
        }
        assertThat(a.manifest().splits()).isEqualTo(b.manifest().splits());
        assertThat(DataFiles.read(c.dir().resolve("val-00000.bin")))
                .isNotEqualTo(DataFiles.read(a.dir().resolve("val-00000.bin")));
        long val = a.manifest().splits().get("val").documents();
        assertThat(val).isBetween(30L, 90L);   // about 10% of 320
    }

    @Test
    void addingAFileMovesNoDocumentOfTheOthers() throws Exception {
        Path dir = tmp.resolve("corpus");
        write(dir.resolve("a.txt"), DataFiles.numberedLines("a", 200));
        ReadingOptions lines = ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.LINE);
        Set<String> before;
        try (TokenDataset d = TokenDataset.open(run(config(tmp.resolve("o1"), dir).withReading(lines)).dir())) {
            before = new HashSet<>(DataFiles.documents(d, "val"));
        }
        write(dir.resolve("0-first.txt"), DataFiles.numberedLines("b", 200));
        Set<String> after;
        try (TokenDataset d = TokenDataset.open(run(config(tmp.resolve("o2"), dir).withReading(lines)).dir())) {
            after = DataFiles.documents(d, "val").stream().filter(s -> s.startsWith("a ")).collect(Collectors.toSet());
        }
        assertThat(before).isNotEmpty().isEqualTo(after);

        // the rule is the one documented: SHA-256 of "<seed>:<key>:<index>"
        DocumentHash hash = new DocumentHash(1234);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            if (hash.unit("a.txt", i) < 0.1) {
                expected.add("a " + i + " the quick brown fox " + (i % 7 == 0 ? "jumps" : "sleeps"));
            }
        }
        assertThat(before).isEqualTo(expected);
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest("1234:a.txt:7".getBytes("UTF-8"));
        long v = java.nio.ByteBuffer.wrap(d).getLong();
        assertThat(hash.unit("a.txt", 7)).isEqualTo((v >>> 11) * 0x1.0p-53);
    }

    @Test
    void tailSplitGivesTheLastTenthOfEveryDocumentToVal() {
        String text = (ENGLISH + CHINESE).repeat(30);
        Path in = write(tmp.resolve("one.txt"), text);
        DatasetPreparation.Result r = run(config(tmp.resolve("o"), in).withSplit(SplitMode.TAIL, 0.1));
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            int[] train = DataFiles.ids(d, "train");
            int[] val = DataFiles.ids(d, "val");
            int[] all = d.tokenizer().encode(text);
            long k = (long) Math.floor(all.length * 0.9);
            assertThat(train).hasSize((int) k + 1).endsWith(0);
            assertThat(val).hasSize(all.length - (int) k + 1).endsWith(0);
            assertThat(Arrays.copyOf(train, (int) k)).isEqualTo(Arrays.copyOf(all, (int) k));
            assertThat(Arrays.copyOf(val, val.length - 1)).isEqualTo(Arrays.copyOfRange(all, (int) k, all.length));
            assertThat(d.tokenizer().decode(Arrays.copyOf(train, train.length - 1))
                    + d.tokenizer().decode(Arrays.copyOf(val, val.length - 1))).isEqualTo(text);
        }
        assertThat(r.manifest().split().mode()).isEqualTo("tail");
        assertThat(r.manifest().tokenizer().training().trainedOn()).contains("first 90%");
    }

    @Test
    void largeDocumentsCutIntoPiecesGiveTheSameDatasetAsWhole() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append(i % 3 == 0 ? CHINESE : ENGLISH).append("Line ").append(i).append(i % 5 == 0 ? "\n\n" : " ");
        }
        Path in = write(tmp.resolve("big.txt"), sb.toString());
        for (SplitMode mode : SplitMode.values()) {
            // document split: paragraphs of about 700 bytes, each cut into pieces; tail split: the whole file
            DatasetPreparation.Config base = config(tmp.resolve(mode + "-whole"), in).withSplit(mode, 0.3)
                    .withTokenizer(new TokenizerChoice.TrainBpe(600, 2))
                    .withReading(ReadingOptions.DEFAULTS.withSeparator(mode == SplitMode.DOCUMENT
                            ? DocumentSeparator.BLANK_LINE : DocumentSeparator.NONE));
            DatasetPreparation.Result whole = run(base);
            DatasetPreparation.Result pieces = run(base.withOut(tmp.resolve(mode + "-pieces")).withChunkBytes(64));
            for (String f : List.of("tokenizer.json", "train-00000.bin", "val-00000.bin")) {
                assertThat(DataFiles.read(pieces.dir().resolve(f))).as(mode + " " + f)
                        .isEqualTo(DataFiles.read(whole.dir().resolve(f)));
            }
            assertThat(pieces.manifest().splits()).isEqualTo(whole.manifest().splits());
            assertThat(pieces.manifest().splits().get("val").documents()).isPositive();
            assertThat(pieces.manifest().tokenizer().training().corpusSha256())
                    .isEqualTo(whole.manifest().tokenizer().training().corpusSha256());
        }
    }

    @Test
    void smallShardsSplitTheIdsAcrossFiles() {
        Path in = write(tmp.resolve("s.txt"), (ENGLISH + CHINESE).repeat(10));
        DatasetPreparation.Result r = run(config(tmp.resolve("o"), in).withSplit(SplitMode.TAIL, 0.2)
                .withShardTokens(97));
        DatasetManifest.Split train = r.manifest().splits().get("train");
        assertThat(train.shards().size()).isGreaterThan(3);
        assertThat(train.shards()).extracting(DatasetManifest.Shard::file).startsWith("train-00000.bin",
                "train-00001.bin");
        assertThat(train.shards().subList(0, train.shards().size() - 1)).allSatisfy(s -> assertThat(s.tokens()).isEqualTo(97));
        for (DatasetManifest.Shard s : train.shards()) {
            assertThat(r.dir().resolve(s.file())).hasSize(2L * s.tokens());
        }
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            d.verify();
            int[] all = DataFiles.ids(d, "train");
            List<Integer> concatenated = new ArrayList<>();
            for (DatasetManifest.Shard s : train.shards()) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(DataFiles.read(r.dir().resolve(s.file())))
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    concatenated.add(Short.toUnsignedInt(b.getShort()));
                }
            }
            assertThat(all).containsExactly(concatenated.stream().mapToInt(Integer::intValue).toArray());
            int[] window = new int[50];
            d.split("train").read(90, window, 0, 50);          // across the first boundary (97)
            assertThat(window).containsExactly(Arrays.copyOfRange(all, 90, 140));
            assertThat(d.split("train").get(97)).isEqualTo(all[97]);
        }
    }

    @Test
    void charTokenizerKnowsEveryCharacterOfValToo() {
        Path dir = tmp.resolve("c");
        for (int i = 0; i < 40; i++) {
            write(dir.resolve("f" + i + ".txt"), "abc " + (char) ('A' + i % 26) + " 中" + i);
        }
        DatasetPreparation.Result r = run(config(tmp.resolve("o"), dir).withTokenizer(new TokenizerChoice.TrainChars())
                .withSplit(SplitMode.DOCUMENT, 0.3));
        assertThat(r.manifest().separatorId()).isNull();
        assertThat(r.manifest().tokenizer().kind()).isEqualTo("char");
        assertThat(r.manifest().splits().get("val").documents()).isPositive();
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            String all = d.tokenizer().decode(DataFiles.ids(d, "train")) + d.tokenizer().decode(DataFiles.ids(d, "val"));
            assertThat(all.length()).isEqualTo(r.manifest().textBytes() - 40L * 2);  // 中 is 3 bytes, 1 char
            assertThat(d.tokenizer().vocabSize()).isEqualTo("abc 中0123456789".length() + 26);
        }
    }

    @Test
    void aTokenizerFileIsUsedAsItIsWithItsEndOfTextToken() {
        Path in = write(tmp.resolve("x.txt"), (ENGLISH + CHINESE).repeat(5));
        DatasetPreparation.Result first = run(config(tmp.resolve("o1"), in).withSplit(SplitMode.TAIL, 0.1));
        Path tok = first.dir().resolve("tokenizer.json");
        DatasetPreparation.Result second = run(config(tmp.resolve("o2"), in).withSplit(SplitMode.TAIL, 0.1)
                .withTokenizer(new TokenizerChoice.FromFile(tok)));
        assertThat(DataFiles.read(second.dir().resolve("train-00000.bin")))
                .isEqualTo(DataFiles.read(first.dir().resolve("train-00000.bin")));
        assertThat(second.manifest().tokenizer().trainedHere()).isFalse();
        assertThat(second.manifest().tokenizer().source()).isEqualTo(tok.toAbsolutePath().toString());
        assertThat(second.manifest().tokenizer().training()).isNull();
        assertThat(second.manifest().separatorToken()).isEqualTo("<|endoftext|>");

        DatasetPreparation.Result none = run(config(tmp.resolve("o3"), in).withSplit(SplitMode.TAIL, 0.1)
                .withTokenizer(new TokenizerChoice.FromFile(tok)).withSeparator("none"));
        assertThat(none.manifest().separatorId()).isNull();
        assertThat(none.manifest().totalTokens()).isEqualTo(second.manifest().totalTokens() - 2);
    }

    @Test
    void aFixedVocabularyThatCannotEncodeADocumentSkipsIt() {
        Path chars = tmp.resolve("chars.json");
        dev.hearth.engine.tokenize.CharTokenizer.train("abc \n").save(chars);
        Path in = write(tmp.resolve("x.txt"), "abc\ncab\nxyz\nbad\n");
        RecordingListener l = new RecordingListener();
        DatasetPreparation.Result r = new DatasetPreparation(config(tmp.resolve("o"), in)
                .withTokenizer(new TokenizerChoice.FromFile(chars)).withSplit(SplitMode.TAIL, 0.5)
                .withReading(ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.LINE))).run(l);
        assertThat(r.manifest().skipped().byReason()).containsEntry("not encodable", 2L);
        assertThat(r.manifest().skipped().records()).extracting(DatasetManifest.SkipRecord::location)
                .containsExactly("document 3", "document 4");
        assertThat(r.manifest().inputs().get(0).documents()).isEqualTo(2);
        assertThat(l.warnings).anyMatch(w -> w.contains("no end-of-text token"));
        assertThat(r.manifest().tokenizer().kind()).isEqualTo("char");
    }

    @Test
    void scrubbingFirstMakesTheDatasetFromScrubbedCopiesAndRecordsTheOriginals() throws Exception {
        Path in = write(tmp.resolve("raw/chats.jsonl"), "{\"text\": \"Mail ann.lee@example.com or call +44 20 7946 0958. "
                + ENGLISH.strip() + "\"}\n{\"text\": \"我的手机号是13800138000。" + CHINESE.strip() + "\"}\n");
        var anonymizer = new dev.hearth.guard.pii.Anonymizer(dev.hearth.guard.pii.ScrubPolicy.defaults(), null,
                new dev.hearth.guard.pii.Pseudonyms());
        DatasetPreparation.Result r = run(config(tmp.resolve("out"), in).withScrub(new DatasetScrub(anonymizer, 2, null, null)));
        DatasetManifest m = r.manifest();
        assertThat(m.scrub().at("/found/EMAIL_ADDRESS").asLong()).isEqualTo(1);
        assertThat(m.scrub().at("/found/PHONE_NUMBER").asLong()).isEqualTo(2);
        assertThat(m.scrub().at("/originals/0/sha256").asText()).isEqualTo(Sha256.ofFile(in));
        assertThat(m.scrub().get("records").asLong()).isEqualTo(2);
        Path scrubbed = r.dir().resolve(DatasetScrub.FOLDER).resolve("chats.jsonl");
        assertThat(m.inputs()).singleElement().satisfies(i -> assertThat(i.path()).isEqualTo(scrubbed.toString()));
        assertThat(Files.readString(scrubbed)).contains("<EMAIL_ADDRESS>", "<PHONE_NUMBER>").doesNotContain("ann.lee", "13800138000");
        assertThat(r.dir().resolve(DatasetScrub.REPORT)).exists();
        // replacing the dataset removes the old scrubbed copies with it
        run(config(tmp.resolve("out"), in).withForce(true));
        assertThat(r.dir().resolve(DatasetScrub.FOLDER)).doesNotExist();
    }

    @Test
    void manifestRecordsWhereEverythingCameFrom() throws Exception {
        Path in = write(tmp.resolve("m.txt"), ENGLISH.repeat(3));
        RecordingListener l = new RecordingListener();
        DatasetPreparation.Result r = new DatasetPreparation(config(tmp.resolve("o"), in).withSplit(SplitMode.TAIL, 0.1))
                .run(l);
        DatasetManifest m = r.manifest();
        assertThat(m.format()).isEqualTo("hearth-dataset/1");
        assertThat(m.inputs().get(0).sha256()).isEqualTo(Sha256.ofFile(in));
        assertThat(m.tokenizer().sha256()).isEqualTo(Sha256.ofFile(r.dir().resolve("tokenizer.json")));
        assertThat(m.tokenizer().training().vocabSizeRequested()).isEqualTo(300);
        assertThat(m.textBytes()).isEqualTo(ENGLISH.length() * 3L);
        assertThat(r.bytesPerToken()).isGreaterThan(1.0);
        assertThat(l.phases).containsExactly(DatasetPreparation.Phase.READING,
                DatasetPreparation.Phase.TRAINING_TOKENIZER, DatasetPreparation.Phase.ENCODING);
        assertThat(l.lastProgress).isEqualTo(Files.size(in));
        String json = Files.readString(r.dir().resolve("manifest.json"));
        assertThat(json).contains("\"separator_id\" : 0", "\"by_reason\"", "\"scrub\" : null", "\"shard_tokens\"");
        assertThat(DatasetManifest.parse(json.getBytes(), r.dir())).isEqualTo(m);
        try (var files = Files.list(r.dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("manifest.json",
                    "tokenizer.json", "train-00000.bin", "val-00000.bin");
        }
        assertThat(Tokenizer.load(r.dir().resolve("tokenizer.json")).vocabSize()).isEqualTo(m.tokenizer().vocabSize());
    }
}
