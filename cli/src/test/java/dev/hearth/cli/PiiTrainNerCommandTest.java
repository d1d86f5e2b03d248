package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth pii train-ner, and analyze / evaluate with --ner and --ner-model. */
class PiiTrainNerCommandTest {
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
    void trainsANameModelThatAnalyzeAndEvaluateUse() throws Exception {
        Path model = dir.resolve("ner");
        CliRun train = hearth("pii", "train-ner", "--out", model.toString(), "--records", "150", "--validation", "30",
                "--epochs", "1", "--embed", "8", "--hidden", "8");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(train.out()).contains("held out of training").contains("epoch 1:").contains("best epoch 1");
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("vocab.json")).exists();

        Path gold = dir.resolve("gold.jsonl");
        assertThat(hearth("pii", "generate", "--count", "40", "--out", gold.toString()).code()).isZero();
        CliRun eval = hearth("pii", "evaluate", "--in", gold.toString(), "--ner-model", model.toString(), "--ner", "model");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("names from model (" + model + ")").contains("PERSON");
        Path found = dir.resolve("found.jsonl");
        CliRun analyze = hearth("pii", "analyze", "--in", gold.toString(), "--out", found.toString(), "--ner-model",
                model.toString(), "--explain");
        assertThat(analyze.code()).as(analyze.err()).isZero();
        assertThat(Files.readAllLines(found)).hasSize(40);
    }

    @Test
    void badNameModelOptionsFailWithAClearMessage() throws Exception {
        Path gold = dir.resolve("gold.jsonl");
        assertThat(hearth("pii", "generate", "--count", "5", "--out", gold.toString()).code()).isZero();
        CliRun noModel = hearth("pii", "evaluate", "--in", gold.toString(), "--ner", "model");
        assertThat(noModel.code()).isEqualTo(1);
        assertThat(noModel.err()).contains("need a trained name model");
        Files.createDirectories(dir.resolve("empty"));
        CliRun notModel = hearth("pii", "analyze", "--in", gold.toString(), "--out", dir.resolve("o.jsonl").toString(),
                "--ner-model", dir.resolve("empty").toString());
        assertThat(notModel.code()).isEqualTo(1);
        assertThat(notModel.err()).contains("not a model folder").contains("train-ner");
        CliRun unknown = hearth("pii", "evaluate", "--in", gold.toString(), "--ner", "regex");
        assertThat(unknown.err()).contains("dictionaries, model or both");
        CliRun both = hearth("pii", "evaluate", "--in", gold.toString(), "--predictions", gold.toString(), "--ner", "both");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("with --predictions nothing is analyzed");
    }
}
