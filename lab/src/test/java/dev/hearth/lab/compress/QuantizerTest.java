package dev.hearth.lab.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.CheckpointException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth quantize's work: which matrices are quantized, which kept float32 and why, and what is refused. */
class QuantizerTest {
    @TempDir
    Path tmp;

    private Path save(Llama.Config c) {
        Path dir = tmp.resolve("fp32");
        ModelFolder.save(dir, new Llama(c, new Rng(3)), null, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    @Test
    void matricesWhoseWidthIsNotAMultipleOf32StayFloatAndAreNamed() {
        // width 48: q/k/v/o, gate/up and the embedding have 48 inputs; down_proj has 64
        Path fp = save(new Llama.Config(50, 16, 1, 2, 2, 48, 64, 10000f, 1e-5f, false, false, false, 0f));
        Quantizer.Result r = Quantizer.quantize(fp, QuantFormat.Q8_0, tmp.resolve("q8"));
        assertThat(r.quantized()).containsExactly("layers.0.mlp.down_proj.weight");
        assertThat(r.keptFloat()).containsKeys("embed_tokens.weight", "layers.0.attn.q_proj.weight", "lm_head.weight")
                .hasSize(8);
        assertThat(r.keptFloat().get("lm_head.weight")).contains("48").contains("multiple of 32");
        var loaded = ModelFolder.load(tmp.resolve("q8"));
        assertThat(loaded.model().quantizedParameters()).containsOnlyKeys("layers.0.mlp.down_proj.weight");
        assertThat(r.outputBytes()).isLessThan(r.inputBytes());
    }

    @Test
    void aQuantizedFolderIsSmallerByTheFormatsBitsAndRecordsWhereItCameFrom() {
        Path fp = save(new Llama.Config(256, 16, 2, 2, 2, 64, 128, 10000f, 1e-5f, false, false, false, 0f));
        Quantizer.Result q8 = Quantizer.quantize(fp, QuantFormat.Q8_0, tmp.resolve("q8"));
        Quantizer.Result q4 = Quantizer.quantize(fp, QuantFormat.Q4_0, tmp.resolve("q4"));
        assertThat(q8.keptFloat()).isEmpty();
        assertThat((double) q8.inputBytes() / q8.outputBytes()).isGreaterThan(3.3);
        assertThat((double) q4.inputBytes() / q4.outputBytes()).isGreaterThan(5.5);
        Map<String, String> meta = dev.hearth.engine.io.SafeTensors.readMetadata(tmp.resolve("q4/model.safetensors"));
        assertThat(meta).containsEntry("quantization", "q4_0").containsKey("quantized_from_sha256")
                .containsKey("hearth_version");
    }

    @Test
    void badInputIsRefusedWithWhatToDo() throws Exception {
        Path fp = save(new Llama.Config(64, 16, 1, 2, 2, 32, 64, 10000f, 1e-5f, true, false, false, 0f));
        Quantizer.quantize(fp, QuantFormat.INT8, tmp.resolve("int8"));
        assertThatThrownBy(() -> Quantizer.quantize(tmp.resolve("int8"), QuantFormat.Q4_0, tmp.resolve("again")))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("already quantized (int8)")
                .hasMessageContaining("float32 model");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> Quantizer.quantize(tmp.resolve("empty"), QuantFormat.Q8_0, tmp.resolve("o")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("not a model folder");
        assertThatThrownBy(() -> Quantizer.quantize(fp, QuantFormat.Q8_0, fp))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("model folder itself");
        assertThatThrownBy(() -> Quantizer.quantize(fp, QuantFormat.Q8_0, tmp.resolve("int8")))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("not empty");
        Path gpt = tmp.resolve("gpt");
        ModelFolder.save(gpt, new Gpt(new Gpt.Config(64, 16, 1, 2, 32, 0f, true), new Rng(1)), null,
                GenerationConfig.defaults(-1, List.of()), Map.of());
        assertThatThrownBy(() -> Quantizer.quantize(gpt, QuantFormat.Q8_0, tmp.resolve("g")))
                .isInstanceOf(HearthException.class).hasMessageContaining("Llama-family");
    }
}
