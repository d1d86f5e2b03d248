package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.data.DataInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularTrainingTest {

    @TempDir
    Path dir;

    /** y = "hi" when 2*x + (color == red ? 1.5 : 0) + noise > 1; a "?" now and then in both columns. */
    private Path synthetic(int n, long seed) throws IOException {
        Rng rng = new Rng(seed);
        List<String> lines = new ArrayList<>();
        lines.add("x;color;y");
        String[] colors = {"red", "green", "blue"};
        for (int i = 0; i < n; i++) {
            double x = rng.nextGaussian();
            String c = colors[rng.nextInt(3)];
            double s = 2 * x + (c.equals("red") ? 1.5 : 0) + 0.3 * rng.nextGaussian();
            String xs = i % 50 == 7 ? "?" : Double.toString(x);
            String cs = i % 60 == 11 ? "?" : c;
            lines.add(xs + ";" + cs + ";" + (s > 1 ? "hi" : "lo"));
        }
        Path f = dir.resolve("data.csv");
        Files.write(f, lines);
        return f;
    }

    @Test
    void learnsTheRuleSavesAndReloadsExactly() throws IOException {
        CsvTable t = CsvTable.read(synthetic(2000, 3), null);
        TabularTraining.Config c = TabularTraining.Config.defaults("mlp", List.of(16));
        List<TabularTraining.EpochResult> seen = new ArrayList<>();
        Path out = dir.resolve("model");
        TabularTraining.Result r = TabularTraining.train(t, "y", c, out, seen::add);
        assertThat(r.testAccuracy()).isGreaterThan(0.9);
        assertThat(seen).hasSize(r.epochs().size());
        assertThat(r.missing()).containsEntry("x", 40).containsEntry("color", 34);
        assertThat(r.split().train().length + r.split().validation().length + r.split().test().length).isEqualTo(2000);

        TabularModel m = TabularModel.load(out);
        assertThat(m.classNames()).containsExactly("hi", "lo");
        assertThat(m.featureNames()).containsExactly("x", "color=(missing)", "color=blue", "color=green", "color=red");
        CsvTable test = CsvTable.read(out.resolve("data/test.csv"), null);
        assertThat(test.rows()).hasSize(r.split().test().length);
        Tensor x = m.encode(test);
        assertThat(TabularTraining.accuracy(m, x, m.encoder().labels(test))).isEqualTo(r.testAccuracy());
        double[][] a = m.probabilities(x);
        double[][] b = r.model().probabilities(x);
        assertThat(a).isDeepEqualTo(b);

        // the network is a plain Layer: gradients reach the input
        Tensor in = x.slice(0, 0, 4).contiguous().copy().requiresGrad(true);
        m.network().forward(in).sum().backward();
        assertThat(in.grad()).isNotNull();
        assertThat(in.grad().toFloatArray()).isNotEqualTo(new float[in.numel()]);
    }

    @Test
    void aFixedSeedGivesTheSameModel() throws IOException {
        CsvTable t = CsvTable.read(synthetic(600, 5), null);
        TabularTraining.Config c = TabularTraining.Config.defaults("logistic", List.of());
        var r1 = TabularTraining.train(t, "y", c, dir.resolve("a"), e -> {});
        var r2 = TabularTraining.train(t, "y", c, dir.resolve("b"), e -> {});
        assertThat(r1.split().test()).isEqualTo(r2.split().test());
        assertThat(Files.readAllBytes(dir.resolve("a/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b/model.safetensors")));
    }

    @Test
    void standardisesWithTheTrainingRowsOnly() throws IOException {
        CsvTable t = CsvTable.read(synthetic(300, 7), null);
        TabularTraining.Split s = TabularTraining.split(300, 0.1, 0.2, 1);
        FeatureEncoder e = FeatureEncoder.fit(t, "y", FeatureEncoder.Options.defaults(), s.train());
        double sum = 0;
        int n = 0;
        for (int r : s.train()) {
            String v = t.rows().get(r)[0];
            if (!v.equals("?")) {
                sum += Double.parseDouble(v);
                n++;
            }
        }
        assertThat(e.columns().get(0).mean()).isCloseTo(sum / n, org.assertj.core.data.Offset.offset(1e-12));
        // a missing numeric value encodes as the mean, i.e. 0
        Tensor x = e.encode(List.of("x", "color"), List.<String[]>of(new String[] {"?", "mauve"}), "test").features();
        assertThat(x.toFloatArray()).containsExactly(0f, 0f, 0f, 0f, 0f);
        assertThat(e.encode(List.of("x", "color"), List.<String[]>of(new String[] {"1", "mauve"}), "t").unseenByColumn())
                .containsExactly(0, 1);
    }

    @Test
    void badInputNamesTheRowOrColumn() throws IOException {
        Path f = synthetic(200, 9);
        CsvTable t = CsvTable.read(f, null);
        var c = TabularTraining.Config.defaults("logistic", List.of());
        assertThatThrownBy(() -> TabularTraining.train(t, "salary", c, dir.resolve("m"), e -> {}))
                .isInstanceOf(DataInputException.class).hasMessageContaining("no column 'salary'")
                .hasMessageContaining("x, color, y");
        Files.writeString(dir.resolve("one.csv"), "a,b\n1,x\n2,x\n3,x\n4,x\n5,x\n6,x\n7,x\n8,x\n9,x\n10,x\n");
        assertThatThrownBy(() -> TabularTraining.train(CsvTable.read(dir.resolve("one.csv"), null), "b", c,
                dir.resolve("m"), e -> {})).hasMessageContaining("single class [x]");
        Files.writeString(dir.resolve("word.csv"), "a,b\n1,x\n2,y\n3,x\nfour,y\n5,x\n6,y\n7,x\n8,y\n9,x\n10,y\n");
        var forced = new TabularTraining.Config("logistic", List.of(), 5, 4, 0.01, 0, 2, 1, 0.1, 0.2,
                new FeatureEncoder.Options(Set.of("a"), Set.of(), Set.of(), FeatureEncoder.DEFAULT_MISSING), false, List.of());
        assertThatThrownBy(() -> TabularTraining.train(CsvTable.read(dir.resolve("word.csv"), null), "b", forced,
                dir.resolve("m"), e -> {})).hasMessageContaining("row 4, column 'a': 'four' is not a number");
        Files.writeString(dir.resolve("nolabel.csv"), "a,b\n1,x\n2,\n3,y\n");
        assertThatThrownBy(() -> FeatureEncoder.fit(CsvTable.read(dir.resolve("nolabel.csv"), null), "b",
                FeatureEncoder.Options.defaults(), new int[] {0, 1, 2})).hasMessageContaining("row 2: the label 'b' is missing");
        Files.writeString(dir.resolve("short.csv"), "a,b\n1,x\n2\n");
        assertThatThrownBy(() -> CsvTable.read(dir.resolve("short.csv"), null)).hasMessageContaining("row 2 has 1 cells");
        assertThatThrownBy(() -> new TabularModel.Architecture("forest", List.of(), 3, 2)).hasMessageContaining("forest");
    }

    @Test
    void dropsRowsWithMissingValuesWhenAsked() throws IOException {
        CsvTable t = CsvTable.read(synthetic(600, 11), null);
        var d = TabularTraining.Config.defaults("logistic", List.of());
        var c = new TabularTraining.Config(d.model(), d.hidden(), 5, d.batchSize(), d.learningRate(), 0, 5, 1, 0.1, 0.2,
                d.features(), true, List.of());
        var r = TabularTraining.train(t, "y", c, dir.resolve("m"), e -> {});
        assertThat(r.droppedRows()).isEqualTo(12 + 10); // x at rows 7, 57, ..., 557 and color at 11, 71, ..., 551
        assertThat(r.model().featureNames()).doesNotContain("color=(missing)");
    }
}
