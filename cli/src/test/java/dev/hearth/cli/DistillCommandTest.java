package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth distill}: a student trained from a teacher loads, generates and scores like any model. */
class DistillCommandTest {

    @TempDir
    static Path tmp;

    static Path home;
    static Path data;
    static Path text;
    static Path teacher;

    @BeforeAll
    static void teacherAndData() throws Exception {
        home = tmp.resolve("home");
        StringBuilder sb = new StringBuilder();
        String[] lines = {"the cat sat on the mat.", "a dog ran in the park.", "we like tea and cake."};
        for (int i = 0; i < 300; i++) {
            sb.append(lines[i % lines.length]).append(' ');
        }
        text = tmp.resolve("corpus.txt");
        Files.writeString(text, sb);
        data = tmp.resolve("ds");
        CliRun prep = CliRun.of("data", "prepare", text.toString(), "--out", data.toString(), "--tokenizer", "char",
                "--split", "tail");
        assertThat(prep.code()).as(prep.err()).isZero();
        CliRun train = CliRun.of("--home", home.toString(), "train", "--data", data.toString(), "--max-steps", "16",
                "--batch-size", "4", "--eval-every", "8", "--lr", "3e-3", "--set", "model.arch=llama", "--set",
                "model.layers=2", "--set", "model.heads=2", "--set", "model.dim=16", "--set", "model.hidden=32",
                "--set", "model.context=16", "--set", "warmup_steps=2", "--set", "eval_batches=2");
        assertThat(train.code()).as(train.err()).isZero();
        Matcher m = Pattern.compile("best model: (\\S+)").matcher(train.out());
        assertThat(m.find()).as(train.out()).isTrue();
        teacher = Path.of(m.group(1));
    }

    private static String[] distill(Path out, String... more) {
        String[] base = {"--home", home.toString(), "distill", "--teacher", teacher.toString(), "--data",
            data.toString(), "--out", out.toString(), "--max-steps", "6", "--batch-size", "4", "--eval-every", "3",
            "--set", "warmup_steps=1", "--set", "eval_batches=2"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void distilsAStudentThatGeneratesScoresAndNamesItsTeacher() throws Exception {
        Path out = tmp.resolve("student");
        CliRun r = CliRun.of(distill(out, "--student-layers", "1", "--init-from-teacher", "--temperature", "3",
                "--alpha", "0.7"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("teacher: " + teacher).contains("student: llama, 1 layers, width 16")
                .contains("% of the teacher").contains("0.7 * T^2 * KL(teacher || student) at T = 3 + 0.3 *")
                .contains("init:    student block 0 <- teacher block 0").contains("wrote the student to " + out);
        assertThat(r.out()).doesNotContain("warning:");
        CliRun g = CliRun.of("generate", "--model", out.toString(), "--prompt", "the cat", "--max-tokens", "5");
        assertThat(g.code()).as(g.err()).isZero();
        CliRun ppl = CliRun.of("eval", "ppl", "--model", out.toString(), "--data", text.toString(), "--json");
        assertThat(ppl.code()).as(ppl.err()).isZero();
        assertThat(new ObjectMapper().readTree(ppl.out()).get("perplexity").asDouble()).isFinite();
        var lineage = new ObjectMapper().readTree(out.resolve("lineage.json").toFile());
        assertThat(lineage.at("/teacher/model").asText()).isEqualTo(teacher.toString());
        assertThat(lineage.at("/teacher/temperature").asDouble()).isEqualTo(3.0);
        assertThat(lineage.at("/training/run/kind").asText()).isEqualTo("distill");
    }

    @Test
    void aBiggerStudentIsWarnedAbout() {
        CliRun r = CliRun.of(distill(tmp.resolve("big"), "--student-dim", "32"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("warning: the student").contains("is not smaller than the teacher");
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        CliRun control = CliRun.of(distill(tmp.resolve("a")));
        assertThat(control.code()).as(control.err()).isZero(); // the same arguments, nothing changed, work
        String[] noTeacher = distill(tmp.resolve("b"));
        noTeacher[4] = data.toString();
        CliRun nt = CliRun.of(noTeacher);
        assertThat(nt.code()).isEqualTo(1);
        assertThat(nt.err()).contains("is not a model folder");
        CliRun t0 = CliRun.of(distill(tmp.resolve("c"), "--temperature", "0"));
        assertThat(t0.code()).isEqualTo(1);
        assertThat(t0.err()).contains("temperature must be a positive number");
        CliRun a2 = CliRun.of(distill(tmp.resolve("d"), "--alpha", "1.5"));
        assertThat(a2.code()).isEqualTo(1);
        assertThat(a2.err()).contains("alpha").contains("[0, 1]");
        CliRun widths = CliRun.of(distill(tmp.resolve("e"), "--student-dim", "8", "--init-from-teacher"));
        assertThat(widths.code()).isEqualTo(1);
        assertThat(widths.err()).contains("dim 8 (teacher 16)").contains("drop --init-from-teacher");
        CliRun full = CliRun.of(distill(tmp.resolve("a")));
        assertThat(full.code()).isEqualTo(1);
        assertThat(full.err()).contains("already holds files");

        Path other = tmp.resolve("other.txt");
        Files.writeString(other, "xyz zyx xx yy zz. ".repeat(200));
        Path otherData = tmp.resolve("other-ds");
        assertThat(CliRun.of("data", "prepare", other.toString(), "--out", otherData.toString(), "--tokenizer",
                "char", "--split", "tail").code()).isZero();
        String[] mismatch = distill(tmp.resolve("f"));
        mismatch[6] = otherData.toString();
        CliRun tok = CliRun.of(mismatch);
        assertThat(tok.code()).isEqualTo(1);
        assertThat(tok.err()).contains("the teacher and the student have different tokenizers");
    }
}
