package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.guard.crypto.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth pii analyze|evaluate|generate|deanonymize and hearth data scrub from the command line. */
class PiiCommandsTest {
    @TempDir
    Path dir;

    private CliRun hearth(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = dir.resolve("ws").toString();
        return CliRun.of(all);
    }

    @Test
    void analyzeWritesOneLineOfIdAndCodePointEntitiesPerInputLine() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, """
                {"id": 1, "text": "😀 mail ann@example.com"}
                {"id": "b", "body": "no text field"}
                not json
                {"text": "nothing here"}
                """);
        Path out = dir.resolve("out.jsonl");
        CliRun r = hearth("pii", "analyze", "--in", in.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("2 line(s) could not be read");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).containsExactly(
                "{\"id\":1,\"entities\":[{\"type\":\"EMAIL_ADDRESS\",\"start\":7,\"end\":22,\"score\":1.0}]}",
                "{\"id\":\"b\",\"entities\":[],\"error\":\"line 2 has no text field 'text'\"}",
                "{\"id\":null,\"entities\":[],\"error\":\"line 3 is not a JSON object\"}",
                "{\"id\":null,\"entities\":[]}");
    }

    @Test
    void generatedTextEvaluatesTheSameFromPredictionsAsFromTheAnalyzer() throws Exception {
        Path labelled = dir.resolve("syn.jsonl");
        assertThat(hearth("pii", "generate", "--count", "300", "--seed", "5", "--out", labelled.toString()).code()).isZero();
        assertThat(Files.readAllLines(labelled)).hasSize(300);
        Path found = dir.resolve("found.jsonl");
        assertThat(hearth("pii", "analyze", "--in", labelled.toString(), "--out", found.toString()).code()).isZero();
        Path report = dir.resolve("report.json");
        CliRun direct = hearth("pii", "evaluate", "--in", labelled.toString(), "--out", report.toString());
        CliRun fromFile = hearth("pii", "evaluate", "--in", labelled.toString(), "--predictions", found.toString());
        assertThat(direct.code()).isZero();
        assertThat(direct.out()).contains("CREDIT_CARD").contains("all (micro)");
        assertThat(fromFile.out().lines().skip(1).toList()).isEqualTo(direct.out().lines().skip(1).toList());
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.at("/overall/f2").asDouble()).isGreaterThan(0.9);

        // scored on two types, the other types' labels are not counted as missed
        Path two = dir.resolve("two.json");
        CliRun only = hearth("pii", "evaluate", "--in", labelled.toString(), "--types", "EMAIL_ADDRESS,CREDIT_CARD",
                "--out", two.toString());
        assertThat(only.code()).as(only.err()).isZero();
        assertThat(only.out()).contains("scored on [EMAIL_ADDRESS, CREDIT_CARD]").doesNotContain("PERSON");
        JsonNode j2 = new ObjectMapper().readTree(two.toFile());
        assertThat(j2.at("/overall/fn").asLong())
                .isEqualTo(j2.at("/types/EMAIL_ADDRESS/fn").asLong() + j2.at("/types/CREDIT_CARD/fn").asLong());
        assertThat(j2.at("/types").size()).isEqualTo(2);
    }

    @Test
    void scrubThenDeanonymizeWithTheKey() throws Exception {
        Path key = dir.resolve("master.key");
        MasterKey.generate().write(key);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                entities:
                  PERSON: pseudonym
                  US_SSN: encrypt
                  EMAIL_ADDRESS: {operator: mask, chars: 4, from: end}
                """);
        Path in = dir.resolve("notes.txt");
        Files.writeString(in, "Dr. Ann Lee, SSN 536-22-8172, ann@example.com\nDr. Ann Lee again\n");
        Path out = dir.resolve("clean.txt");
        CliRun noKey = hearth("data", "scrub", "--in", in.toString(), "--out", out.toString(), "--policy", policy.toString());
        if (System.getenv(MasterKey.ENV) == null) {
            assertThat(noKey.code()).isEqualTo(1);
            assertThat(noKey.err()).contains("need a secret key").contains("PERSON (pseudonym)");
        }
        CliRun r = hearth("data", "scrub", "--in", in.toString(), "--out", out.toString(), "--policy", policy.toString(),
                "--key-file", key.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 records").contains("PERSON=2").contains("mapping:");
        List<String> clean = Files.readAllLines(out);
        assertThat(clean.get(0)).matches("Dr\\. <PERSON_1>, SSN <ENC:US_SSN:[\\w-]+>, ann@example\\*\\*\\*\\*");
        assertThat(clean.get(1)).isEqualTo("Dr. <PERSON_1> again");
        assertThat(dir.resolve("clean.txt.scrub-report.json")).exists();
        assertThat(Files.readString(dir.resolve("clean.txt.scrub-report.json"))).doesNotContain("Ann Lee").doesNotContain("536-22-8172");
        Path restored = dir.resolve("restored.txt");
        CliRun d = hearth("pii", "deanonymize", "--in", out.toString(), "--out", restored.toString(), "--key-file", key.toString());
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(Files.readAllLines(restored)).containsExactly("Dr. Ann Lee, SSN 536-22-8172, ann@example****",
                "Dr. Ann Lee again");
    }
}
