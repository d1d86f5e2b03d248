package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BiasCommandTest {

    @TempDir
    Path tmp;

    @Test
    void probesAModelWithASetOfOnesOwn() throws Exception {
        CharTokenizer tok = CharTokenizer.train("The young old engineer nurse was hired.");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 64, 1, 2, 2, 16, 32, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(3));
        Path dir = tmp.resolve("lm");
        ModelFolder.save(dir, m, tok, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 16), Map.of());
        Path set = tmp.resolve("age.yaml");
        Files.writeString(set, """
                name: age
                groups: [young, old]
                fillers: [engineer, nurse]
                templates: ["The {young|old} {x} was hired."]
                """);
        Path out = tmp.resolve("gaps.json");
        CliRun r = CliRun.of("bias", "probes", "--model", dir.toString(), "--templates", set.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("age: 2 probes, mean gap").contains("young preferred in");
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertThat(json.at("/sets/0/byFiller")).hasSize(2);
        CliRun unknown = CliRun.of("bias", "probes", "--model", dir.toString(), "--set", "gender-fr");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("no built-in probe set 'gender-fr'");
    }

    @Test
    void augmentAddsSwappedCopiesOfRecordsWithTerms() throws Exception {
        Path in = tmp.resolve("c.jsonl");
        Files.writeString(in, """
                {"id":"a","text":"He thanked his wife."}
                {"id":"b","text":"The order shipped."}
                {"id":"c","text":"她是我的姐姐。"}
                """);
        Path out = tmp.resolve("c-cf.jsonl");
        CliRun r = CliRun.of("data", "augment", "--in", in.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("3 records, 2 swapped copies added");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).isEqualTo("{\"id\":\"a-cf\",\"text\":\"She thanked her husband.\",\"counterfactual\":true}");
        assertThat(lines.get(4)).contains("\"text\":\"他是我的哥哥。\"");
        Files.writeString(in, "{\"id\":\"a\",\"text\":\"He\"}\nnot json\n");
        CliRun bad = CliRun.of("data", "augment", "--in", in.toString(), "--out", tmp.resolve("x.jsonl").toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("line 2 is not JSON");
        assertThat(tmp.resolve("x.jsonl")).doesNotExist();
        // other groups, from pairs of one's own
        Path pairs = tmp.resolve("religion.yaml");
        Files.writeString(pairs, "pairs:\n  - [church, mosque]\n  - [教堂, 清真寺]\n");
        Path txt = tmp.resolve("t.txt");
        Files.writeString(txt, "He went to church.\n");
        CliRun own = CliRun.of("data", "augment", "--in", txt.toString(), "--out", tmp.resolve("t-cf.txt").toString(),
                "--pairs", pairs.toString(), "--no-gender");
        assertThat(own.code()).as(own.err()).isZero();
        assertThat(Files.readString(tmp.resolve("t-cf.txt"))).isEqualTo("He went to church.\n\nHe went to mosque.\n");
        Files.writeString(pairs, "pair:\n  - [a, b]\n");
        assertThat(CliRun.of("data", "augment", "--in", txt.toString(), "--out", tmp.resolve("u.txt").toString(),
                "--pairs", pairs.toString()).err()).contains("must hold one key, 'pairs'");
    }
}
