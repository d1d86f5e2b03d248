package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.GgmlType;
import dev.hearth.engine.io.GgufFile;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth export gguf}. */
class ExportGgufCommandTest {
    @TempDir
    Path tmp;

    private Path modelDir;

    @BeforeEach
    void saveATinyModel() {
        CharTokenizer tok = CharTokenizer.train("the quick brown fox jumps over the lazy dog");
        Llama model = new Llama(new Llama.Config(tok.vocabSize(), 32, 1, 2, 2, 64, 96, 10000f, 1e-5f, false, false,
                false, 0f), new Rng(1));
        modelDir = tmp.resolve("model");
        ModelFolder.save(modelDir, model, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
    }

    @Test
    void writesAGgufFileAndSaysWhatItDid() {
        Path out = tmp.resolve("m.gguf");
        CliRun r = CliRun.of("export", "gguf", "--model", modelDir.toString(), "--out", out.toString(), "--type", "q8_0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("exported").contains("as q8_0").contains("12 tensors").contains("tokenizer llama")
                .contains("wrote " + out);
        assertThat(r.err()).contains("note: the model names no end token and has no spare id");
        GgufFile g = GgufFile.read(out);
        assertThat(g.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q8_0);
        assertThat(g.get("general.name").value()).isEqualTo("model");
    }

    @Test
    void badInputGetsAClearError() {
        CliRun type = CliRun.of("export", "gguf", "--model", modelDir.toString(), "--out", tmp.resolve("a.gguf")
                .toString(), "--type", "q2_k");
        assertThat(type.code()).isEqualTo(1);
        assertThat(type.err()).contains("unknown GGUF type 'q2_k'");
        CliRun notModel = CliRun.of("export", "gguf", "--model", tmp.toString(), "--out", tmp.resolve("b.gguf").toString());
        assertThat(notModel.code()).isEqualTo(1);
        assertThat(notModel.err()).contains("not a model folder");
        CliRun noFormat = CliRun.of("export");
        assertThat(noFormat.code()).isNotZero();
        assertThat(noFormat.err()).contains("hearth export gguf");
    }
}
