package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth fairness report on UCI Adult with a rule-based classifier, against an independent computation. */
class FairnessCommandTest {
    static final Path ADULT = Path.of("../../shared/data/adult.csv");

    @TempDir
    Path dir;

    private static CliRun hearth(String... args) {
        return CliRun.of(args);
    }

    /** Adult with a "prediction" column: >50K for graduates aged 30+ and married people aged 40+. */
    private Path predictions() throws Exception {
        Path adult = ADULT.toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.exists(adult), "skipped: " + adult + " is absent (the shared data sets)");
        List<String> lines = Files.readAllLines(adult);
        List<String> out = new ArrayList<>();
        out.add(lines.get(0) + ";prediction");
        Set<String> graduate = Set.of("Bachelors", "Masters", "Doctorate", "Prof-school");
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(";");
            int age = Integer.parseInt(c[1]);
            boolean high = graduate.contains(c[4]) && age >= 30 || c[3].equals("Married-civ-spouse") && age >= 40;
            out.add(line + ";" + (high ? ">50K" : "<=50K"));
        }
        Path p = dir.resolve("adult-pred.csv");
        Files.write(p, out);
        return p;
    }

    @Test
    void adultBySexAndRaceMatchesFairlearnsDefinitions() throws Exception {
        Path in = predictions();
        Path out = dir.resolve("report.json");
        CliRun r = hearth("fairness", "report", "--in", in.toString(), "--label", "salary-class", "--prediction",
                "prediction", "--positive", ">50K", "--sensitive", "sex,race", "--bootstrap", "200", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        // Reference: the same rule and Fairlearn's definitions computed with numpy, independently of Hearth:
        // intersections of sex and race: dpd 0.4637864096, dpr 0.1654621791, eod 0.3720389171, eor 0.1007157464;
        // sex alone: dpd 0.2582922028, dpr 0.4435523157, eod 0.1748828287, eor 0.4593054441; accuracy 0.7461706783.
        assertThat(j.get("demographic_parity_difference").asDouble()).isCloseTo(0.4637864096, within(1e-9));
        assertThat(j.get("demographic_parity_ratio").asDouble()).isCloseTo(0.1654621791, within(1e-9));
        assertThat(j.get("equalized_odds_difference").asDouble()).isCloseTo(0.3720389171, within(1e-9));
        assertThat(j.get("equalized_odds_ratio").asDouble()).isCloseTo(0.1007157464, within(1e-9));
        assertThat(j.at("/by_feature/sex/demographic_parity_difference").asDouble()).isCloseTo(0.2582922028, within(1e-9));
        assertThat(j.at("/by_feature/sex/equalized_odds_ratio").asDouble()).isCloseTo(0.4593054441, within(1e-9));
        assertThat(j.at("/overall/accuracy").asDouble()).isCloseTo(0.7461706783, within(1e-9));
        assertThat(j.at("/groups/sex/sex=Female/count").asInt()).isEqualTo(9782);
        assertThat(j.at("/intervals/demographic_parity_difference").size()).isEqualTo(2);
        assertThat(j.get("rows").asInt()).isEqualTo(30162);
    }

    @Test
    void theHtmlPageShowsEachGroupsRatesAndFlagsTheFourFifthsRule() throws Exception {
        // group "a<b" is selected 3 times in 4, group "c&d" once in 4: disparate impact 1/3, below 0.8
        Path in = dir.resolve("t.csv");
        Files.writeString(in, "g,y,p\na<b,1,1\na<b,1,1\na<b,0,1\na<b,0,0\nc&d,1,1\nc&d,1,0\nc&d,0,0\nc&d,0,0\n");
        Path html = dir.resolve("fair.html");
        CliRun r = hearth("fairness", "report", "--in", in.toString(), "--label", "y", "--prediction", "p",
                "--sensitive", "g", "--bootstrap", "50", "--html", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("page: " + html);
        String page = Files.readString(html);
        assertThat(page).startsWith("<!doctype html>").contains("<svg", "a&lt;b", "c&amp;d")
                .doesNotContain("a<b")
                .contains("demographic parity difference</td><td>0.5000")      // 0.75 - 0.25
                .contains("disparate impact</td><td class=\"bad\">0.3333")
                .contains("95% interval");
    }

    @Test
    void badInputIsNamed() throws Exception {
        Path in = dir.resolve("t.csv");
        Files.writeString(in, "g,y,p\na,1,1\nb,0,1\nb,2,0\n");
        CliRun three = hearth("fairness", "report", "--in", in.toString(), "--label", "y", "--prediction", "p", "--sensitive", "g");
        assertThat(three.code()).isEqualTo(1);
        assertThat(three.err()).contains("y holds more than two classes");
        CliRun column = hearth("fairness", "report", "--in", in.toString(), "--label", "y", "--prediction", "p", "--sensitive", "sex");
        assertThat(column.err()).contains("no column 'sex'; the columns are g, y, p");
        Files.writeString(in, "g,y,p\na,yes,yes\nb,no,maybe\n");
        CliRun noPositive = hearth("fairness", "report", "--in", in.toString(), "--label", "y", "--prediction", "p",
                "--sensitive", "g", "--positive", "ok");
        assertThat(noPositive.err()).contains("more than two classes");
        Files.writeString(in, "g,y,p\na,1,1\nb,0\n");
        CliRun cells = hearth("fairness", "report", "--in", in.toString(), "--label", "y", "--prediction", "p", "--sensitive", "g");
        assertThat(cells.err()).contains("row 2 has 2 cells, the header 3");
    }
}
