package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {

    @TempDir
    Path tmp;

    private Path languageModel() {
        CharTokenizer tok = CharTokenizer.train("the quick brown fox jumps over a lazy dog");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 32, 2, 4, 2, 16, 64, 10000f, 1e-6f, false, false, false,
                0f), new Rng(3));
        Path dir = tmp.resolve("lm");
        ModelFolder.save(dir, m, tok, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 16), Map.of());
        return dir;
    }

    @Test
    void explainsANextTokenByEveryMethodWithAttentionAndAPage() throws Exception {
        Path out = tmp.resolve("why");
        CliRun r = CliRun.of("explain", "--model", languageModel().toString(), "--prompt", "the lazy dog",
                "--target", "s", "--samples", "200", "--seed", "3", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("next token 's'").contains("integrated_gradients:").contains("kernel_shap:")
                .contains("attention: 2 layers x 4 heads");
        JsonNode json = new ObjectMapper().readTree(out.resolve("explanation.json").toFile());
        assertThat(json.get("kind").asText()).isEqualTo("language_model");
        assertThat(json.get("attributions")).hasSize(6);
        for (JsonNode a : json.get("attributions")) {
            assertThat(a.get("features")).hasSize("the lazy dog".length());
        }
        JsonNode ig = json.get("attributions").get(0);
        assertThat(ig.get("method").asText()).isEqualTo("integrated_gradients");
        double sum = 0;
        for (JsonNode v : ig.get("values")) {
            sum += v.asDouble();
        }
        assertThat(sum).isCloseTo(ig.get("score").asDouble() - ig.get("referenceScore").asDouble(), within(1e-3));
        assertThat(json.get("attention")).hasSize(2);
        String html = Files.readString(out.resolve("explanation.html"));
        assertThat(html).contains("<h2>integrated gradients</h2>").contains("<h2>attention</h2>").contains("class=\"tok\"")
                .doesNotContain("<script");
        // LIME is seeded: the same seed, the same values
        Path again = tmp.resolve("again");
        CliRun r2 = CliRun.of("explain", "--model", languageModel().toString(), "--prompt", "the lazy dog",
                "--target", "s", "--samples", "200", "--seed", "3", "--methods", "lime", "--out", again.toString());
        assertThat(r2.code()).as(r2.err()).isZero();
        JsonNode lime = new ObjectMapper().readTree(again.resolve("explanation.json").toFile()).get("attributions").get(0);
        assertThat(lime.get("values")).isEqualTo(json.get("attributions").get(4).get("values"));
    }

    @Test
    void explainsAnImageClassifierWithPixelMaps() throws Exception {
        CnnClassifier.Config config = new CnnClassifier.Config(1, 28, 28, 3, 4, 4, 4, 3, 8);
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.json"), new ObjectMapper().writeValueAsString(Map.of("model", config)));
        SafeTensors.write(run.resolve("model.safetensors"), new CnnClassifier(config, new Rng(1)).parameters(), Map.of());
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 4; i < 24; i++) {
            img.getRaster().setSample(i, i, 0, 255);
        }
        Path png = tmp.resolve("digit.png");
        ImageIO.write(img, "png", png.toFile());
        Path out = tmp.resolve("img");
        CliRun r = CliRun.of("explain", "--model", run.toString(), "--image", png.toString(), "--class", "2",
                "--samples", "100", "--patch", "7", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("explaining class 2");
        JsonNode json = new ObjectMapper().readTree(out.resolve("explanation.json").toFile());
        assertThat(json.get("attributions")).hasSize(6);
        assertThat(json.at("/image/pixelMaps/occlusion")).hasSize(784);
        assertThat(json.at("/image/pixelMaps/kernel_shap")).hasSize(784);
        assertThat(json.get("attributions").get(5).get("features")).hasSize(16);       // 7x7 tiles of a 28x28 image
        assertThat(Files.readString(out.resolve("explanation.html"))).contains("data:image/png;base64,");
    }

    @Test
    void explainsATabularRowByItsColumns() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        StringBuilder csv = new StringBuilder("hours,education,noise,income\n");
        String[] edu = {"school", "college", "degree"};
        for (int i = 0; i < 600; i++) {
            double hours = 40 + 10 * r.nextGaussian();
            int e = r.nextInt(3);
            double z = 0.2 * (hours - 40) + 1.5 * e - 1.5 + 0.3 * r.nextGaussian();
            csv.append(String.format(java.util.Locale.ROOT, "%.1f,%s,%.2f,%s%n", hours, edu[e], r.nextGaussian(),
                    z > 0 ? "high" : "low"));
        }
        Path data = tmp.resolve("people.csv");
        Files.writeString(data, csv);
        Path model = tmp.resolve("tab");
        CliRun train = CliRun.of("train", "tabular", "--data", data.toString(), "--label", "income", "--model", "logistic",
                "--out", model.toString());
        assertThat(train.code()).as(train.err()).isZero();
        Path out = tmp.resolve("why-row");
        CliRun r1 = CliRun.of("explain", "--model", model.toString(), "--row", "2", "--samples", "64",
                "--methods", "ig,shap,occlusion", "--out", out.toString());
        assertThat(r1.code()).as(r1.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.resolve("explanation.json").toFile());
        assertThat(json.get("kind").asText()).isEqualTo("tabular");
        JsonNode shap = null;
        for (JsonNode a : json.get("attributions")) {
            shap = a.get("method").asText().equals("kernel_shap") ? a : shap;
        }
        assertThat(shap.get("features")).extracting(JsonNode::asText).containsExactly("hours", "education", "noise");
        assertThat(shap.at("/checks/exact").asDouble()).isEqualTo(1.0);                   // 3 columns: every coalition
        // the column the label never depended on matters least
        double noise = Math.abs(shap.get("values").get(2).asDouble());
        assertThat(noise).isLessThan(Math.abs(shap.get("values").get(0).asDouble()) + Math.abs(shap.get("values").get(1).asDouble()));
        assertThat(json.get("inputValues")).hasSize(3);
        assertThat(CliRun.of("explain", "--model", model.toString(), "--row", "999").err()).contains("--row 999 is outside");
    }

    @Test
    void aQuantizedModelIsExplainedByPerturbationAlone() throws Exception {
        Path q = tmp.resolve("q8");
        CliRun quantize = CliRun.of("quantize", "--model", languageModel().toString(), "--format", "q8_0", "--out",
                q.toString());
        assertThat(quantize.code()).as(quantize.err()).isZero();
        CliRun r = CliRun.of("explain", "--model", q.toString(), "--prompt", "the lazy dog", "--samples", "64",
                "--out", tmp.resolve("qx").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("gradient methods skipped", "occlusion:", "kernel_shap:")
                .doesNotContain("integrated_gradients:");
        CliRun ig = CliRun.of("explain", "--model", q.toString(), "--prompt", "the lazy dog", "--methods", "ig");
        assertThat(ig.code()).isNotZero();
        assertThat(ig.err()).contains("is quantized", "explain the float32 model");
    }

    @Test
    void badRequestsSayWhatIsWrong() throws Exception {
        Path lm = languageModel();
        assertThat(CliRun.of("explain", "--model", lm.toString()).err()).contains("give --prompt");
        assertThat(CliRun.of("explain", "--model", lm.toString(), "--prompt", "the", "--target", "the").err())
                .contains("is 3 tokens");
        assertThat(CliRun.of("explain", "--model", lm.toString(), "--prompt", "the", "--methods", "magic").err())
                .contains("unknown method 'magic'");
        assertThat(CliRun.of("explain", "--model", tmp.resolve("nothing").toString(), "--prompt", "a").err())
                .contains("is not a folder");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(CliRun.of("explain", "--model", empty.toString(), "--prompt", "a").err())
                .contains("holds no model explain knows");
    }
}
