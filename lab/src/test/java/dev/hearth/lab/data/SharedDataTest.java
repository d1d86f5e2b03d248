package dev.hearth.lab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preparations of the real corpora in ../shared/data, when it is there. */
class SharedDataTest {
    private static final Path DATA = Path.of("../../shared/data");

    @TempDir
    Path tmp;

    private static Path shared(String name) {
        Path p = DATA.resolve(name);
        assumeTrue(Files.isRegularFile(p), "skipped: " + p.toAbsolutePath().normalize()
                + " is absent (the shared data sets sit beside the project on developer machines and in CI)");
        return p;
    }

    @Test
    void tinyShakespeareByCharactersMatchesNanoGpt() throws Exception {
        Path in = shared("tinyshakespeare.txt");
        String text = Files.readString(in, StandardCharsets.UTF_8);
        assertThat(text).hasSize(1_115_394);
        DatasetPreparation.Result r = new DatasetPreparation(DatasetPreparation.Config.of(List.of(in),
                tmp.resolve("shakespeare-char"), "shakespeare-char").withTokenizer(new TokenizerChoice.TrainChars())
                .withSplit(SplitMode.TAIL, 0.1)).run(DatasetPreparation.Listener.NONE);
        DatasetManifest m = r.manifest();
        assertThat(m.tokenizer().vocabSize()).isEqualTo(65);
        assertThat(m.splits().get("train").tokens()).isEqualTo(1_003_854);
        assertThat(m.splits().get("val").tokens()).isEqualTo(111_540);
        assertThat(m.separatorId()).isNull();
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            CharTokenizer chars = (CharTokenizer) d.tokenizer();
            assertThat(chars.characters()).isEqualTo("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
            int[] head = new int[13];
            d.split("train").read(0, head, 0, 13);
            assertThat(chars.decode(head)).isEqualTo("First Citizen");
            int[] valHead = new int[30];
            d.split("val").read(0, valHead, 0, 30);
            assertThat(chars.decode(valHead)).isEqualTo(text.substring(1_003_854, 1_003_884));
        }
    }

    @Test
    void tangPoemsByRecordWithBpe() throws Exception {
        Path in = shared("zh-tang300.txt");
        long records = Files.readAllLines(in).stream().filter(l -> l.strip().equals("%")).count();
        DatasetPreparation.Result r = new DatasetPreparation(DatasetPreparation.Config.of(List.of(in),
                tmp.resolve("tang"), "tang").withTokenizer(new TokenizerChoice.TrainBpe(1000, 2))
                .withReading(ReadingOptions.DEFAULTS.withSeparator(DocumentSeparator.literal("%"))))
                .run(DatasetPreparation.Listener.NONE);
        DatasetManifest m = r.manifest();
        long docs = m.splits().get("train").documents() + m.splits().get("val").documents();
        assertThat(docs + m.skipped().count()).isBetween(records, records + 1);
        assertThat(m.splits().get("val").documents()).isBetween(docs / 20, docs / 5);
        assertThat(m.tokenizer().vocabSize()).isEqualTo(1000);
        assertThat(r.bytesPerToken()).isGreaterThan(2.0);
        try (TokenDataset d = TokenDataset.open(r.dir())) {
            d.verify();
            List<String> val = DataFiles.documents(d, "val");
            String all = Files.readString(in);
            assertThat(val).allMatch(all::contains);
        }
    }
}
