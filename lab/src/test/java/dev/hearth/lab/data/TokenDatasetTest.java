package dev.hearth.lab.data;

import static dev.hearth.lab.data.DataFiles.write;
import static dev.hearth.lab.data.DatasetPreparationTest.config;
import static dev.hearth.lab.data.DatasetPreparationTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenDatasetTest {

    @TempDir
    Path tmp;

    private Path dir;
    private DatasetManifest manifest;

    @BeforeEach
    void prepare() {
        Path in = write(tmp.resolve("in.txt"), (DatasetPreparationTest.ENGLISH + DatasetPreparationTest.CHINESE)
                .repeat(8));
        DatasetPreparation.Result r = run(config(tmp.resolve("ds"), in).withSplit(SplitMode.TAIL, 0.25)
                .withShardTokens(64));
        dir = r.dir();
        manifest = r.manifest();
    }

    @Test
    void readsAcrossShardBoundariesFromManyThreads() {
        try (TokenDataset d = TokenDataset.open(dir)) {
            TokenSplit train = d.split("train");
            assertThat(train.size()).isEqualTo(manifest.splits().get("train").tokens());
            assertThat(train.documents()).isEqualTo(1);
            int[] all = DataFiles.ids(d, "train");
            IntStream.range(0, 2000).parallel().forEach(i -> {
                int from = (i * 37) % (int) (train.size() - 200);
                int len = 1 + i % 200;
                int[] w = new int[len + 3];
                train.read(from, w, 3, len);
                assertThat(Arrays.copyOfRange(w, 3, len + 3)).isEqualTo(Arrays.copyOfRange(all, from, from + len));
            });
            train.read(train.size(), new int[0], 0, 0);
            assertThatThrownBy(() -> train.read(train.size() - 5, new int[10], 0, 10))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("outside the train split");
            assertThatThrownBy(() -> train.read(0, new int[10], 5, 10)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> d.split("test")).isInstanceOf(DatasetException.class)
                    .hasMessageContaining("no split 'test'");
            assertThat(d.manifestSha256()).isEqualTo(Sha256.ofBytes(DataFiles.read(dir.resolve("manifest.json"))));
            assertThat(d.separatorId()).isZero();
            assertThat(d.tokenizer()).isSameAs(d.tokenizer());
            d.verify();
        }
    }

    @Test
    void aTruncatedShardIsNamed() throws Exception {
        Path shard = dir.resolve("train-00001.bin");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.setLength(f.length() - 2);
        }
        assertThatThrownBy(() -> TokenDataset.open(dir)).isInstanceOf(DatasetException.class)
                .hasMessageContaining(shard.toString()).hasMessageContaining("cut short")
                .hasMessageContaining("prepare it again");
    }

    @Test
    void aMissingShardIsNamed() throws Exception {
        Path shard = dir.resolve("val-00000.bin");
        Files.delete(shard);
        assertThatThrownBy(() -> TokenDataset.open(dir)).isInstanceOf(DatasetException.class)
                .hasMessageContaining(shard.toString()).hasMessageContaining("missing");
    }

    @Test
    void aChangedShardFailsVerification() throws Exception {
        Path shard = dir.resolve("train-00000.bin");
        byte[] b = Files.readAllBytes(shard);
        b[3] ^= 1;
        Files.write(shard, b);
        try (TokenDataset d = TokenDataset.open(dir)) {
            assertThatThrownBy(d::verify).isInstanceOf(DatasetException.class)
                    .hasMessageContaining(shard.toString()).hasMessageContaining("SHA-256");
        }
    }

    @Test
    void badManifestsAreExplained() throws Exception {
        Path m = dir.resolve("manifest.json");
        String json = Files.readString(m);
        Files.writeString(m, json.replace("hearth-dataset/1", "hearth-dataset/7"));
        assertThatThrownBy(() -> TokenDataset.open(dir)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("format is 'hearth-dataset/7'").hasMessageContaining("another Hearth version");
        Files.writeString(m, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> TokenDataset.open(dir)).hasMessageContaining("is not valid JSON")
                .hasMessageContaining(m.toString());
        Files.writeString(m, json.replace("\"dtype\" : \"uint16\"", "\"dtype\" : \"float32\""));
        assertThatThrownBy(() -> TokenDataset.open(dir)).hasMessageContaining("dtype is 'float32'");
        Files.writeString(m, "{\"format\": \"something else\"}");
        assertThatThrownBy(() -> TokenDataset.open(dir)).hasMessageContaining("not a Hearth dataset manifest");
        Files.delete(m);
        assertThatThrownBy(() -> TokenDataset.open(dir)).hasMessageContaining("has no manifest.json")
                .hasMessageContaining("did not finish");
        assertThatThrownBy(() -> TokenDataset.open(tmp.resolve("nothing"))).hasMessageContaining("does not exist");
    }

    @Test
    void aVocabularyAbove65536IdsIsStoredAsUint32() {
        StringBuilder sb = new StringBuilder();
        for (int cp = 0x20000; cp < 0x20000 + 70_000; cp++) {
            sb.appendCodePoint(cp);
        }
        Path in = write(tmp.resolve("wide.txt"), sb.toString());
        DatasetPreparation.Result r = run(config(tmp.resolve("wide"), in).withTokenizer(new TokenizerChoice.TrainChars())
                .withSplit(SplitMode.TAIL, 0.1));
        assertThat(r.manifest().dtype()).isEqualTo("uint32");
        assertThat(r.dir().resolve("train-00000.bin")).hasSize(4L * 63_000);
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            int[] val = DataFiles.ids(d, "val");
            assertThat(val).hasSize(7000);
            assertThat(val[6999]).isEqualTo(69_999);
            assertThat(d.split("train").get(65_537 - 3000)).isEqualTo(62_537);
        }
    }
}
