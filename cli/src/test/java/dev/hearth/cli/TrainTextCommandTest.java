package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.lab.data.SupportConversations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTextCommandTest {

    @TempDir
    Path tmp;

    /** The customers' first messages of the demo corpus (English ones), labelled with their intent. */
    private Path intents(int n) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("intent,text");
        for (SupportConversations.Conversation c : SupportConversations.generate(2 * n, 3)) {
            if (c.language().equals("en")) {
                lines.add(c.intent() + ",\"" + c.turns().getFirst()[1].replace("\"", "\"\"") + "\"");
            }
        }
        Path f = tmp.resolve("intents.csv");
        Files.write(f, lines);
        return f;
    }

    private Path baseModel(Path data) throws Exception {
        CharTokenizer tok = CharTokenizer.train(Files.readString(data));
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 96, 1, 2, 2, 32, 64, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(2));
        Path dir = tmp.resolve("base");
        ModelFolder.save(dir, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    @Test
    void fineTunesALanguageModelIntoAnIntentClassifierThatEvaluatesAndExplains() throws Exception {
        Path data = intents(300);
        Path out = tmp.resolve("clf");
        CliRun r = CliRun.of("train", "text", "--base", baseModel(data).toString(), "--data", data.toString(), "--label",
                "intent", "--epochs", "4", "--lr", "3e-3", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("classes: [billing, defect, delivery, login, return]", "test accuracy");
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.get("task").asText()).isEqualTo("text");
        double test = config.at("/training/test_accuracy").asDouble();
        assertThat(test).isGreaterThan(0.6);                                   // five classes: chance is 0.2
        assertThat(out.resolve("lm/model.safetensors")).exists();
        assertThat(out.resolve("data/test.csv")).exists();
        // reloaded by the evaluator, it scores its test rows as training did
        CliRun eval = CliRun.of("eval", "classify", "--model", out.toString(), "--data",
                "test=" + out.resolve("data/test.csv"), "--bootstrap", "0", "--out", tmp.resolve("eval").toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("eval/report.json").toFile());
        assertThat(report.at("/sets/test/accuracy").asDouble()).isEqualTo(test);
        // and explained token by token
        Path why = tmp.resolve("why");
        CliRun x = CliRun.of("explain", "--model", out.toString(), "--text", "I want to return my kettle.", "--class", "4",
                "--samples", "64", "--out", why.toString());
        assertThat(x.code()).as(x.err()).isZero();
        assertThat(x.out()).contains("explaining return", "integrated_gradients:", "kernel_shap:");
        JsonNode e = new ObjectMapper().readTree(why.resolve("explanation.json").toFile());
        assertThat(e.get("kind").asText()).isEqualTo("text_classifier");
        JsonNode ig = e.get("attributions").get(0);
        assertThat(ig.get("features")).hasSize("I want to return my kettle.".length());
        assertThat(Math.abs(ig.at("/checks/relative_completeness_delta").asDouble())).isLessThan(0.05);
        assertThat(CliRun.of("explain", "--model", out.toString(), "--row", "0", "--methods", "occlusion", "--out",
                tmp.resolve("why2").toString()).code()).isZero();
    }

    @Test
    void badInputsAreNamed() throws Exception {
        Path data = intents(30);
        Path base = baseModel(data);
        CliRun noColumn = CliRun.of("train", "text", "--base", base.toString(), "--data", data.toString(), "--label",
                "topic", "--out", tmp.resolve("x").toString());
        assertThat(noColumn.code()).isNotZero();
        assertThat(noColumn.err()).contains("no column 'topic'");
        Path one = tmp.resolve("one.csv");
        Files.writeString(one, "intent,text\nreturn,a\nreturn,b\nreturn,c\nreturn,d\n");
        CliRun single = CliRun.of("train", "text", "--base", base.toString(), "--data", one.toString(), "--label",
                "intent", "--out", tmp.resolve("y").toString());
        assertThat(single.err()).contains("single class");
    }
}
