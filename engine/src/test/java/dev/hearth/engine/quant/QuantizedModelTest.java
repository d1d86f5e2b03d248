package dev.hearth.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.CheckpointException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Llama with quantized weights: its logits stay close to the float model's, it is saved and
 * loaded with the packed bytes unchanged, and training or differentiating through it is refused.
 */
class QuantizedModelTest {
    @TempDir
    Path tmp;

    private static Llama model(boolean tied) {
        return new Llama(new Llama.Config(96, 32, 2, 2, 1, 64, 96, 10000f, 1e-5f, tied, false, false, 0f), new Rng(5));
    }

    /** {@link #model}, or for Q4_K the same with width and MLP width 256 (whole super-blocks). */
    private static Llama model(boolean tied, QuantFormat f) {
        if (f.blockSize() == QuantFormat.BLOCK) {
            return model(tied);
        }
        return new Llama(new Llama.Config(96, 32, 2, 2, 1, 256, 256, 10000f, 1e-5f, tied, false, false, 0f), new Rng(5));
    }

    private static void quantizeAll(Module m, QuantFormat f) {
        for (Module x : m.modules()) {
            if (x instanceof Linear l) {
                l.quantize(f);
            } else if (x instanceof dev.hearth.engine.nn.Embedding e) {
                e.quantize(f);
            }
        }
    }

    private static float[] logits(Llama m, int[] ids) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            return m.forward(ids, 1, ids.length).toFloatArray();
        }
    }

    @Test
    void quantizedLogitsFollowTheFloatOnesAndSurviveASaveAndLoad() {
        int[] ids = {1, 5, 9, 33, 60, 2, 7, 95};
        for (boolean tied : new boolean[] {false, true}) {
            for (QuantFormat f : QuantFormat.values()) {
                Llama fp = model(tied, f);
                fp.eval();
                float[] want = logits(fp, ids);
                Llama q = model(tied, f);
                q.eval();
                quantizeAll(q, f);
                assertThat(q.parameters().keySet()).noneMatch(n -> n.endsWith("proj.weight"));
                assertThat(q.quantizedParameters()).containsKey("embed_tokens.weight")
                        .containsKey("layers.1.mlp.down_proj.weight");
                assertThat(q.parameterCount()).isEqualTo(fp.parameterCount());
                float[] got = logits(q, ids);
                double err = 0;
                double norm = 0;
                for (int i = 0; i < want.length; i++) {
                    err += (got[i] - want[i]) * (got[i] - want[i]);
                    norm += want[i] * want[i];
                }
                double rel = Math.sqrt(err / norm);
                assertThat(rel).as("%s tied=%s", f, tied).isLessThan(f == QuantFormat.Q4_0 || f == QuantFormat.Q4_K ? 0.25 : 0.05);

                Path dir = tmp.resolve(f.id() + tied);
                ModelFolder.save(dir, q, null, GenerationConfig.defaults(-1, List.of()), Map.of());
                var loaded = ModelFolder.load(dir);
                assertThat(loaded.config().get("quantization").get("format").asText()).isEqualTo(f.id());
                Llama back = (Llama) loaded.model();
                assertThat(logits(back, ids)).containsExactly(got);
                var qa = q.quantizedParameters();
                var qb = back.quantizedParameters();
                assertThat(qb.keySet()).containsExactlyElementsOf(qa.keySet());
                for (String n : qa.keySet()) {
                    assertThat(qb.get(n).dequantize().data()).containsExactly(qa.get(n).dequantize().data());
                }
                try (SafeTensorsFile file = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
                    var info = file.info("model.layers.0.mlp.up_proj.weight");
                    switch (f) {
                        case Q8_0 -> assertThat(info.shape()).containsExactly(96, 2 * 34);
                        case Q4_0 -> assertThat(info.shape()).containsExactly(96, 2 * 18);
                        case Q4_K -> assertThat(info.shape()).containsExactly(256, 144);
                        case INT8 -> {
                            assertThat(info.shape()).containsExactly(96, 64);
                            assertThat(file.info("model.layers.0.mlp.up_proj.weight_scale").shape()).containsExactly(96);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theFileHoldsLlamaCppsBlocksByteForByte() throws Exception {
        Llama q = model(false);
        q.eval();
        Linear up = (Linear) q.find("layers.0.mlp.up_proj");
        Tensor w = up.weight().copy();
        up.quantize(QuantFormat.Q4_0);
        Path dir = tmp.resolve("m");
        ModelFolder.save(dir, q, null, GenerationConfig.defaults(-1, List.of()), Map.of());
        try (SafeTensorsFile file = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(file.bytes("model.layers.0.mlp.up_proj.weight"))
                    .containsExactly(Q4_0Matrix.quantize(w.data(), w.offset(), 96, 64).blocks());
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"quantization\"")
                .contains("\"model.layers.0.mlp.up_proj.weight\" : [ 96, 64 ]");
    }

    @Test
    void trainingOrGradientsThroughAQuantizedWeightAreRefused() {
        Llama q = model(false);
        quantizeAll(q, QuantFormat.Q8_0);
        q.train(true);
        assertThatThrownBy(() -> q.forward(new int[] {1, 2}, 1, 2)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("cannot be trained");
        q.eval();
        assertThatThrownBy(() -> q.forward(new int[] {1, 2}, 1, 2)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("gradients cannot flow").hasMessageContaining("noGrad");
        Linear l = (Linear) q.find("layers.0.attn.q_proj");
        assertThatThrownBy(l::weight).isInstanceOf(QuantizationException.class).hasMessageContaining("q8_0");
        assertThatThrownBy(() -> l.quantize(QuantFormat.Q4_0)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("already quantized");
    }

    @Test
    void aDamagedQuantizedFolderIsAClearError() throws Exception {
        Llama q = model(false);
        quantizeAll(q, QuantFormat.Q8_0);
        Path dir = tmp.resolve("bad");
        ModelFolder.save(dir, q, null, GenerationConfig.defaults(-1, List.of()), Map.of());
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"format\" : \"q8_0\"", "\"format\" : \"q3_x\""));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("q3_x");
        Files.writeString(config, Files.readString(config).replace("\"format\" : \"q3_x\"", "\"format\" : \"q4_0\""));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not fit").hasMessageContaining("q4_0");
    }
}
