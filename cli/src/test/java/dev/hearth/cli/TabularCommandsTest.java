package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth train tabular, eval classify and fairness mitigate, end to end on made-up data and on UCI Adult. */
class TabularCommandsTest {
    static final Path ADULT = Path.of("../../shared/data/adult.csv");

    @TempDir
    Path dir;

    /** income depends on hours and education; group "b" is selected less often. */
    private Path people(String name, int n, long seed, double shift) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        lines.add("group,hours,education,income");
        String[] edu = {"school", "college", "degree"};
        for (int i = 0; i < n; i++) {
            boolean b = r.nextDouble() < 0.4;
            double hours = 40 + 10 * r.nextGaussian() + shift;
            int e = r.nextInt(3);
            double z = 0.15 * (hours - 40) + 1.2 * e - (b ? 1.0 : 0) - 1.2 + r.nextGaussian();
            lines.add((b ? "b" : "a") + "," + (i % 97 == 5 ? "?" : String.format(java.util.Locale.ROOT, "%.1f", hours)) + ","
                    + edu[e] + "," + (z > 0 ? "high" : "low"));
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    @Test
    void trainEvaluateAndMitigate() throws Exception {
        Path data = people("people.csv", 3000, 1, 0);
        Path model = dir.resolve("model");
        CliRun train = CliRun.of("train", "tabular", "--data", data.toString(), "--label", "income", "--model", "mlp",
                "--hidden", "16", "--out", model.toString());
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(train.out()).contains("missing values (imputed").contains("hours=31").contains("accuracy: train");
        assertThat(model.resolve("model.safetensors")).exists();
        assertThat(model.resolve("data/test.csv")).exists();

        Path shifted = people("shifted.csv", 800, 2, 15);
        Path report = dir.resolve("eval");
        CliRun eval = CliRun.of("eval", "classify", "--model", model.toString(), "--data",
                "test=" + model.resolve("data/test.csv"), "--data", "shifted=" + shifted, "--out", report.toString(),
                "--bootstrap", "50", "--latency-calls", "20");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("gap shifted - test").contains("latency, one row");
        JsonNode j = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        JsonNode test = j.path("sets").path("test");
        assertThat(test.path("accuracy").asDouble()).isGreaterThan(0.75);
        assertThat(test.path("roc_auc").asDouble()).isGreaterThan(0.8);
        assertThat(test.path("intervals").path("accuracy").size()).isEqualTo(2);
        assertThat(j.path("sets").path("shifted").path("gap_to_first").has("accuracy")).isTrue();
        assertThat(j.path("latency").path("p99_ms").asDouble()).isPositive();
        for (String f : List.of("report.html", "roc.png", "reliability.png", "confusion-test.png", "predictions-shifted.csv")) {
            assertThat(report.resolve(f)).isNotEmptyFile();
        }
        assertThat(Files.readString(report.resolve("report.html"))).contains("<img src=\"roc.png\"");

        CliRun fair = CliRun.of("fairness", "report", "--in", report.resolve("predictions-test.csv").toString(),
                "--label", "income", "--prediction", "prediction", "--positive", "high", "--sensitive", "group",
                "--bootstrap", "0");
        assertThat(fair.code()).as(fair.err()).isZero();

        Path mit = dir.resolve("mitigated");
        CliRun m = CliRun.of("fairness", "mitigate", "--model", model.toString(), "--fit",
                model.resolve("data/train.csv").toString(), "--apply", model.resolve("data/test.csv").toString(),
                "--sensitive", "group", "--constraint", "demographic_parity", "--positive", "high", "--out", mit.toString());
        assertThat(m.code()).as(m.err()).isZero();
        JsonNode mr = new ObjectMapper().readTree(mit.resolve("report.json").toFile());
        assertThat(mr.path("after").path("demographic_parity_difference").asDouble())
                .isLessThan(mr.path("before").path("demographic_parity_difference").asDouble() / 2);
        assertThat(mit.resolve("thresholds.json")).isNotEmptyFile();
        assertThat(Files.readAllLines(mit.resolve("predictions.csv")).getFirst()).endsWith("prediction,prediction_before,prob_high");

        CliRun reweighed = CliRun.of("train", "tabular", "--data", data.toString(), "--label", "income", "--model",
                "logistic", "--reweigh", "group", "--out", dir.resolve("rw").toString());
        assertThat(reweighed.code()).as(reweighed.err()).isZero();
        assertThat(reweighed.out()).contains("reweighing").contains("group=b | 1");
    }

    @Test
    void badInputGivesClearErrors() throws Exception {
        Path data = people("people.csv", 300, 3, 0);
        CliRun noLabel = CliRun.of("train", "tabular", "--data", data.toString(), "--label", "salary", "--out",
                dir.resolve("m").toString());
        assertThat(noLabel.code()).isEqualTo(1);
        assertThat(noLabel.err()).contains("no column 'salary'").contains("group, hours, education, income");

        CliRun train = CliRun.of("train", "tabular", "--data", data.toString(), "--label", "income", "--model", "logistic",
                "--epochs", "3", "--out", dir.resolve("m").toString());
        assertThat(train.code()).as(train.err()).isZero();
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "group,hours,education,income\na,40,school,low\nb,lots,degree,high\n");
        CliRun eval = CliRun.of("eval", "classify", "--model", dir.resolve("m").toString(), "--data", "x=" + bad,
                "--out", dir.resolve("e").toString());
        assertThat(eval.code()).isEqualTo(1);
        assertThat(eval.err()).contains("row 2, column 'hours': 'lots' is not a number");
        Files.writeString(bad, "group,hours,education,income\na,40,school,low\nb,41,degree,rich\n");
        assertThat(CliRun.of("eval", "classify", "--model", dir.resolve("m").toString(), "--data", "x=" + bad, "--out",
                dir.resolve("e").toString()).err()).contains("row 2: the label 'income' is 'rich'");
        assertThat(CliRun.of("eval", "classify", "--model", dir.toString(), "--data", "x=" + bad, "--out",
                dir.resolve("e").toString()).err()).contains("is not a classifier folder");
        assertThat(CliRun.of("eval", "classify", "--model", dir.resolve("m").toString(), "--data", bad.toString(), "--out",
                dir.resolve("e").toString()).err()).contains("--data takes NAME=FILE.csv");
        CliRun mit = CliRun.of("fairness", "mitigate", "--model", dir.resolve("m").toString(), "--fit",
                dir.resolve("m/data/train.csv").toString(), "--apply", dir.resolve("m/data/test.csv").toString(),
                "--sensitive", "group", "--constraint", "fairest", "--out", dir.resolve("x").toString());
        assertThat(mit.err()).contains("unknown constraint 'fairest'");
    }

    @Test
    void adultLogisticRegressionReachesTheReferenceAccuracy() throws Exception {
        Path adult = ADULT.toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.exists(adult), "skipped: " + adult + " is absent (the shared data sets)");
        Path model = dir.resolve("adult");
        CliRun train = CliRun.of("train", "tabular", "--data", adult.toString(), "--label", "salary-class", "--model",
                "logistic", "--out", model.toString());
        assertThat(train.code()).as(train.err()).isZero();
        JsonNode c = new ObjectMapper().readTree(model.resolve("config.json").toFile());
        assertThat(c.path("training").path("split").path("test").asInt()).isEqualTo(6032);
        // numpy's logistic regression on the same split reaches 0.8254 (docs/tabular.md); stay within a point
        assertThat(c.path("training").path("accuracy").path("test").asDouble()).isGreaterThan(0.815);
    }
}
