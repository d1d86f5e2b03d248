package dev.hearth.guard.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrubberTest {
    @TempDir
    Path dir;

    private ScrubReport scrub(Path in, Path out, ScrubPolicy policy, long maxRecordBytes) {
        Anonymizer a = new Anonymizer(policy, null, new Pseudonyms());
        return new Scrubber(a, 2, maxRecordBytes).scrub(in, out, null, done -> { });
    }

    private ScrubReport scrub(Path in, Path out) {
        return scrub(in, out, ScrubPolicy.defaults(), 1 << 20);
    }

    @Test
    void plainTextKeepsEveryLineAndItsEndings() throws IOException {
        Path in = dir.resolve("notes.txt");
        byte[] bytes = ("Call Ann Lee on +44 20 7946 0958\r\n\nno personal data\nbad \u00ff".getBytes(StandardCharsets.UTF_8));
        byte[] withBadByte = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withBadByte, 0, bytes.length);
        withBadByte[bytes.length] = (byte) 0xC3; // a truncated UTF-8 sequence on the last line, which has no newline
        Files.write(in, withBadByte);
        Path out = dir.resolve("notes.out.txt");
        ScrubReport r = scrub(in, out);
        assertThat(Files.readString(out)).isEqualTo("Call <PERSON> on <PHONE_NUMBER>\r\n\nno personal data\nbad \u00ff\uFFFD");
        assertThat(r.records()).isEqualTo(4);
        assertThat(r.found()).containsEntry("PERSON", 1L).containsEntry("PHONE_NUMBER", 1L);
        assertThat(r.perFile().getFirst().problems()).singleElement()
                .satisfies(p -> assertThat(p.record()).isEqualTo(4)).satisfies(p -> assertThat(p.reason()).contains("invalid UTF-8"));
    }

    @Test
    void jsonLinesScrubTextFieldsAndReportLinesThatAreNotJson() throws IOException {
        Path in = dir.resolve("chat.jsonl");
        Files.writeString(in, """
                {"id": 7, "text": "我叫王小明，手机13800138000", "meta": {"note": "ann@example.com"}, "n": 1.50}
                {not json, mail bob@example.com
                {"id": 9, "tags": ["ann@example.com", 3]}
                """);
        Path out = dir.resolve("chat.out.jsonl");
        ScrubReport r = scrub(in, out);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("text").asText()).isEqualTo("我叫<PERSON>，手机<PHONE_NUMBER>");
        assertThat(first.at("/meta/note").asText()).isEqualTo("<EMAIL_ADDRESS>");
        assertThat(first.get("id").asInt()).isEqualTo(7);
        assertThat(lines.get(0)).contains("\"n\":1.50");
        assertThat(lines.get(1)).isEqualTo("{not json, mail <EMAIL_ADDRESS>");
        assertThat(lines.get(2)).isEqualTo("{\"id\":9,\"tags\":[\"<EMAIL_ADDRESS>\",3]}");
        assertThat(r.perFile().getFirst().problems()).singleElement().satisfies(p -> {
            assertThat(p.record()).isEqualTo(2);
            assertThat(p.reason()).contains("not a JSON object");
        });
        assertThat(lines.get(1)).doesNotContain("bob@");
    }

    @Test
    void onlyTheFieldsThePolicyNames() throws IOException {
        Path in = dir.resolve("a.jsonl");
        Files.writeString(in, "{\"text\": \"ann@example.com\", \"author\": \"bob@example.com\"}\n");
        Path out = dir.resolve("a.out.jsonl");
        scrub(in, out, ScrubPolicy.parse("fields: [text]", "p"), 1 << 20);
        assertThat(Files.readString(out)).isEqualTo("{\"text\":\"<EMAIL_ADDRESS>\",\"author\":\"bob@example.com\"}\n");
    }

    @Test
    void csvRowsKeepEveryCell() throws IOException {
        Path in = dir.resolve("people.csv");
        Files.writeString(in, "name,comment,age\n\"Lee, Ann\",\"mail ann@example.com\nthanks\",41\nx,y,z,extra 13800138000\n");
        Path out = dir.resolve("people.out.csv");
        ScrubReport r = scrub(in, out, ScrubPolicy.parse("fields: [comment]", "p"), 1 << 20);
        assertThat(Files.readString(out)).isEqualTo(
                "name,comment,age\n\"Lee, Ann\",\"mail <EMAIL_ADDRESS>\nthanks\",41\nx,y,z,\"extra <PHONE_NUMBER>\"\n");
        assertThat(r.records()).isEqualTo(2);
        assertThat(r.perFile().getFirst().problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("4 cells"));
        assertThatThrownBy(() -> scrub(in, dir.resolve("x.csv"), ScrubPolicy.parse("fields: [email]", "p"), 1 << 20))
                .hasMessageContaining("no column 'email'").hasMessageContaining("name, comment, age");
    }

    @Test
    void overlongRecordsBecomeEmptyAndAreReported() throws IOException {
        Path in = dir.resolve("big.txt");
        Files.writeString(in, "short ann@example.com\n" + "x".repeat(5000) + " ann@example.com\nend\n");
        Path out = dir.resolve("big.out.txt");
        ScrubReport r = scrub(in, out, ScrubPolicy.defaults(), 1000);
        assertThat(Files.readAllLines(out)).containsExactly("short <EMAIL_ADDRESS>", "", "end");
        assertThat(r.perFile().getFirst().problems()).singleElement().satisfies(p -> {
            assertThat(p.record()).isEqualTo(2);
            assertThat(p.reason()).contains("5016 bytes exceeds the limit of 1000");
        });
    }

    @Test
    void foldersAreMirroredAndBinaryOrUnknownFilesSkipped() throws IOException {
        Path in = dir.resolve("corpus");
        Files.createDirectories(in.resolve("sub"));
        Files.writeString(in.resolve("a.txt"), "ann@example.com\n");
        Files.writeString(in.resolve("sub/b.jsonl"), "{\"text\":\"bob@example.com\"}\n");
        Files.write(in.resolve("c.txt"), new byte[] {1, 0, 2});
        Files.writeString(in.resolve("d.pdf"), "%PDF");
        Path out = dir.resolve("clean");
        ScrubReport r = scrub(in, out);
        assertThat(Files.readString(out.resolve("a.txt"))).isEqualTo("<EMAIL_ADDRESS>\n");
        assertThat(Files.readString(out.resolve("sub/b.jsonl"))).isEqualTo("{\"text\":\"<EMAIL_ADDRESS>\"}\n");
        assertThat(out.resolve("c.txt")).doesNotExist();
        assertThat(out.resolve("d.pdf")).doesNotExist();
        assertThat(r.perFile()).filteredOn(f -> f.skipped() != null).extracting(ScrubReport.FileReport::skipped)
                .anySatisfy(s -> assertThat(s).startsWith("binary file"))
                .anySatisfy(s -> assertThat(s).startsWith("unknown format"));
        assertThat(r.problems()).isEqualTo(2);
        assertThatThrownBy(() -> scrub(in, in.resolve("inside"))).hasMessageContaining("lies inside the input folder");
        assertThatThrownBy(() -> scrub(in.resolve("a.txt"), in.resolve("a.txt"))).hasMessageContaining("never overwrites");
    }

    @Test
    void pseudonymNumbersFollowTheInputOrderWhateverTheThreads() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            int k = i % 700;
            sb.append("Dr. X").append((char) ('a' + k / 26)).append((char) ('a' + k % 26)).append(" Smith wrote\n");
        }
        Path in = dir.resolve("many.txt");
        Files.writeString(in, sb.toString());
        ScrubPolicy p = ScrubPolicy.parse("entities: {PERSON: pseudonym}", "p");
        dev.hearth.guard.crypto.MasterKey key = dev.hearth.guard.crypto.MasterKey.generate();
        String[] outs = new String[2];
        for (int t = 1; t <= 2; t++) {
            Path out = dir.resolve("many" + t + ".txt");
            new Scrubber(new Anonymizer(p, key, new Pseudonyms()), t, 1 << 20).scrub(in, out, null, d -> { });
            outs[t - 1] = Files.readString(out);
        }
        assertThat(outs[0]).isEqualTo(outs[1]).startsWith("Dr. <PERSON_1> wrote\nDr. <PERSON_2> wrote\n");
        assertThat(outs[0].lines().skip(700).findFirst()).contains("Dr. <PERSON_1> wrote");
    }
}
