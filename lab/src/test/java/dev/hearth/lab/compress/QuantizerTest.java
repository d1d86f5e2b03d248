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
    void q4_kQuantizesWidthsOf256AndNamesTheRest() throws Exception {
        // width 256: q/k/v/o, gate/up, the embedding and the head fit super-blocks of 256; down_proj reads 384
        Path fp = save(new Llama.Config(50, 16, 1, 2, 2, 256, 384, 10000f, 1e-5f, false, false, false, 0f));
        Quantizer.Result r = Quantizer.quantize(fp, QuantFormat.Q4_K, tmp.resolve("k"));
        assertThat(r.quantized()).hasSize(8).contains("embed_tokens.weight", "lm_head.weight",
                "layers.0.attn.q_proj.weight", "layers.0.mlp.up_proj.weight");
        assertThat(r.keptFloat()).containsOnlyKeys("layers.0.mlp.down_proj.weight");
        assertThat(r.keptFloat().get("layers.0.mlp.down_proj.weight"))
                .isEqualTo("its input width 384 is not a multiple of 256 (q4_k's super-block)");
        String config = Files.readString(tmp.resolve("k/config.json"));
        assertThat(config).contains("\"format\" : \"q4_k\"").contains("\"block_size\" : 256");
        var fpModel = (Llama) ModelFolder.load(fp).model();
        var loaded = (Llama) ModelFolder.load(tmp.resolve("k")).model();
        var up = (dev.hearth.engine.quant.Q4_KMatrix) loaded.quantizedParameters().get("layers.0.mlp.up_proj.weight");
        float[] w = fpModel.parameters().get("layers.0.mlp.up_proj.weight").contiguous().toFloatArray();
        assertThat(up.blocks()).isEqualTo(dev.hearth.engine.quant.Q4_KMatrix.quantize(w, 0, 384, 256).blocks());
        assertThat(loaded.quantizedParameters()).hasSize(8);
        // the loaded model runs on its packed weights: next-token logits close to the float model's
        fpModel.eval();
        loaded.eval();
        float[] a;
        float[] b;
        try (var scope = dev.hearth.engine.autograd.Autograd.noGrad()) {
            a = fpModel.forward(new int[] {1, 2, 3}, 1, 3).contiguous().toFloatArray();
            b = loaded.forward(new int[] {1, 2, 3}, 1, 3).contiguous().toFloatArray();
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += a[i] * a[i];
        }
        assertThat(Math.sqrt(diff / norm)).isGreaterThan(0).isLessThan(0.2);
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
