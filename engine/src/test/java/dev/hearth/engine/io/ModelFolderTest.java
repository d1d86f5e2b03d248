package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model folders in Hugging Face's layout: tiny GPT-2 and Qwen2 folders laid out as transformers
 * writes them (made by tools/reference/make_fixtures.py, logits computed there the way
 * transformers computes them) load and give the same logits; Hearth's own folders round-trip.
 */
class ModelFolderTest {

    @TempDir
    Path tmp;

    private static Path resource(String name) {
        try {
            return Path.of(ModelFolderTest.class.getResource("/hf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] logits(LanguageModel m, int[] ids) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            return m.forward(ids, 1, ids.length).toFloatArray();
        }
    }

    private static void assertMatchesFixture(String name) {
        ModelFolder.Loaded loaded = ModelFolder.load(resource(name));
        Map<String, Tensor> expected = SafeTensors.read(resource(name).resolve("expected.safetensors"));
        float[] idf = expected.get("ids").toFloatArray();
        int[] ids = new int[idf.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.round(idf[i]);
        }
        float[] actual = logits(loaded.model(), ids);
        float[] want = expected.get("logits").toFloatArray();
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(actual).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(actual[i] - want[i])).as(name + " logit " + i).isLessThanOrEqualTo((float) (1e-5 * scale));
        }
    }

    @Test
    void gpt2FolderFromTransformersLoads() {
        assertMatchesFixture("gpt2-tiny");
        ModelFolder.Loaded loaded = ModelFolder.load(resource("gpt2-tiny"));
        assertThat(loaded.model()).isInstanceOf(Gpt.class);
        assertThat(loaded.generation().eosTokenIds()).containsExactly(0);
        assertThat(loaded.tokenizer()).isNull();
    }

    @Test
    void qwen2FolderFromTransformersLoads() {
        assertMatchesFixture("qwen2-tiny");
        Llama m = (Llama) ModelFolder.load(resource("qwen2-tiny")).model();
        assertThat(m.config().kvHeads()).isEqualTo(2);
        assertThat(m.config().qkvBias()).isTrue();
        assertThat(m.config().outputBias()).isFalse();
    }

    @Test
    void gptRoundTripsThroughHuggingFaceLayout() {
        Gpt gpt = new Gpt(new Gpt.Config(30, 12, 2, 2, 8, 0f, true), new Rng(1));
        Path dir = tmp.resolve("gpt");
        GenerationConfig gen = GenerationConfig.defaults(-1, List.of(29));
        ModelFolder.save(dir, gpt, null, gen, Map.of("run", "test"));
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(f.info("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(8, 24);
            assertThat(f.info("transformer.h.1.mlp.c_fc.weight").shape()).containsExactly(8, 32);
            assertThat(f.metadata()).containsEntry("format", "pt").containsEntry("run", "test");
        }
        ModelFolder.Loaded back = ModelFolder.load(dir);
        gpt.eval();
        int[] ids = {1, 2, 3, 29, 0};
        assertThat(logits(back.model(), ids)).containsExactly(logits(gpt, ids));
        assertThat(back.generation().eosTokenIds()).containsExactly(29);
    }


    @Test
    void gptWithoutBiasesSavesZeroBiasesAndComputesTheSame() {
        Gpt gpt = new Gpt(new Gpt.Config(30, 12, 2, 2, 8, 0f, false), new Rng(1));
        Path dir = tmp.resolve("gpt-nobias");
        ModelFolder.save(dir, gpt, null, GenerationConfig.defaults(-1, List.of()), Map.of());
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(f.info("transformer.h.0.attn.c_attn.bias").shape()).containsExactly(24);
            assertThat(f.info("transformer.ln_f.bias").shape()).containsExactly(8);
        }
        gpt.eval();
        int[] ids = {1, 2, 3, 29, 0};
        LanguageModel back = ModelFolder.load(dir).model();
        assertThat(back.parameters().keySet()).isEqualTo(gpt.parameters().keySet());
        assertThat(logits(back, ids)).containsExactly(logits(gpt, ids));
    }
    @Test
    void llamaRoundTripsAndSavingReplacesTheFolderWhole() throws IOException {
        Llama llama = new Llama(new Llama.Config(40, 16, 2, 4, 2, 16, 24, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(2));
        Path dir = tmp.resolve("llama");
        ModelFolder.save(dir, llama, null, null, null);
        Files.writeString(dir.resolve("stale.txt"), "from an older save");
        ModelFolder.save(dir, llama, null, null, null);
        assertThat(dir.resolve("stale.txt")).doesNotExist();
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("llama");
        }
        llama.eval();
        int[] ids = {5, 6, 7};
        assertThat(logits(ModelFolder.load(dir).model(), ids)).containsExactly(logits(llama, ids));
    }

    @Test
    void unsupportedOrBrokenFoldersAreExplained() throws IOException {
        assertThatThrownBy(() -> ModelFolder.load(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no config.json");
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        assertThatThrownBy(() -> ModelFolder.load(dir)).hasMessageContaining("\"model_type\" is \"bert\"");
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 8,
                 "rope_scaling": {"type": "llama3", "factor": 8.0}}""");
        assertThatThrownBy(() -> ModelFolder.load(dir)).hasMessageContaining("rope_scaling");
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 8}""");
        assertThatThrownBy(() -> ModelFolder.load(dir)).hasMessageContaining("neither model.safetensors");
        // Weights of another shape.
        Llama other = new Llama(new Llama.Config(10, 8, 1, 2, 2, 16, 8, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(3));
        ModelFolder.save(tmp.resolve("other"), other, null, null, null);
        Files.copy(tmp.resolve("other/model.safetensors"), dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("do not fit config.json");
    }
}
