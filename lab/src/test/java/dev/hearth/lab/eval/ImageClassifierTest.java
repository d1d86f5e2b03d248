package dev.hearth.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A conv net saved as 'hearth demo digits' saves it, evaluated from CSV rows of pixels. */
class ImageClassifierTest {
    @TempDir
    Path dir;

    @Test
    void readsTheDemoCheckpointAndScoresCsvPixels() throws Exception {
        CnnClassifier.Config config = new CnnClassifier.Config(1, 20, 20, 3, 2, 2, 2, 3, 4);
        CnnClassifier net = new CnnClassifier(config, new Rng(5));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "hearth");
        meta.put("architecture", "CnnClassifier");
        meta.put("config", config.toString());
        SafeTensors.write(dir.resolve("model.safetensors"), net.parameters(), meta);

        Rng rng = new Rng(9);
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("label");
        for (int i = 0; i < 400; i++) {
            header.append(",pixel").append(i);
        }
        lines.add(header.toString());
        int n = 6;
        float[] x = new float[n * 400];
        for (int r = 0; r < n; r++) {
            StringBuilder b = new StringBuilder(Integer.toString(r % 3));
            for (int i = 0; i < 400; i++) {
                int v = rng.nextInt(256);
                x[r * 400 + i] = v / 255f;
                b.append(',').append(v);
            }
            lines.add(b.toString());
        }
        Path csv = dir.resolve("pixels.csv");
        Files.write(csv, lines);

        Classifier c = Classifier.load(dir);
        assertThat(c.classes()).containsExactly("0", "1", "2");
        CsvTable t = CsvTable.read(csv, null);
        assertThat(c.labels(t)).containsExactly(0, 1, 2, 0, 1, 2);
        double[][] p = c.probabilities(t);
        net.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            float[] want = net.forward(Tensor.of(x, n, 1, 20, 20)).softmax(1).toFloatArray();
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < 3; k++) {
                    assertThat(p[r][k]).isEqualTo(want[r * 3 + k]);
                }
            }
        }
        var report = ClassificationEvaluation.run(c, Map.of("pixels", t), new ClassificationEvaluation.Options(0, 1, 0.95, 10, 5, 4));
        assertThat(report.sets().getFirst().metrics().count()).isEqualTo(6);

        lines.set(2, lines.get(2).replaceFirst(",\\d+", ",dark"));
        Files.write(csv, lines);
        assertThatThrownBy(() -> c.probabilities(CsvTable.read(csv, null)))
                .hasMessageContaining("row 2, column 'pixel0': 'dark' is not a pixel value");
        Files.writeString(csv, "label,a,b\n1,2,3\n");
        assertThatThrownBy(() -> c.probabilities(CsvTable.read(csv, null))).hasMessageContaining("has 2 pixel columns");
    }
}
