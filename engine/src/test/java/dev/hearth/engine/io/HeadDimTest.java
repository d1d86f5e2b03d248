package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Llama whose heads are not dim / heads wide (what head pruning leaves): built, saved, read, cached. */
class HeadDimTest {
    @TempDir
    Path tmp;

    private static Llama.Config narrowHeads() {
        // width 24, 2 heads of 8 sharing 1 key/value head: the queries are 16 wide, not 24
        return new Llama.Config(30, 16, 2, 2, 1, 24, 40, 10000f, 1e-6f, false, true, false, 0f, 8);
    }

    @Test
    void projectionsFollowHeadDimAndTheFolderRoundTrips() throws Exception {
        Llama m = new Llama(narrowHeads(), new Rng(3));
        assertThat(m.parameters().get("layers.0.attn.q_proj.weight").shape().toArray()).containsExactly(16, 24);
        assertThat(m.parameters().get("layers.0.attn.k_proj.weight").shape().toArray()).containsExactly(8, 24);
        assertThat(m.parameters().get("layers.0.attn.o_proj.weight").shape().toArray()).containsExactly(24, 16);
        Path dir = tmp.resolve("m");
        ModelFolder.save(dir, m, null, null, null);
        assertThat(new ObjectMapper().readTree(Files.readString(dir.resolve("config.json"))).get("head_dim").asInt())
                .isEqualTo(8);
        LanguageModel back = ModelFolder.load(dir).model();
        assertThat(((Llama) back).config()).isEqualTo(narrowHeads());
        m.eval();
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
        try (Autograd.Scope s = Autograd.noGrad()) {
            float[] full = m.forward(ids, 1, ids.length).toFloatArray();
            assertThat(back.forward(ids, 1, ids.length).toFloatArray()).containsExactly(full);
            // the cached decode path gives the last position's logits too
            List<KvCache> caches = back.newCaches(1, 16);
            back.forward(java.util.Arrays.copyOf(ids, 7), 1, 7, 0, caches, null);
            float[] step = back.forward(new int[] {ids[7]}, 1, 1, 7, caches, null).toFloatArray();
            for (int i = 0; i < step.length; i++) {
                assertThat(step[i]).isCloseTo(full[7 * 30 + i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void aBadHeadDimIsExplained() throws Exception {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 8, "head_dim": 3}""");
        assertThatThrownBy(() -> ModelFolder.load(dir)).hasMessageContaining("head_dim").hasMessageContaining("even");
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 3, "max_position_embeddings": 8}""");
        assertThatThrownBy(() -> ModelFolder.load(dir)).hasMessageContaining("num_attention_heads")
                .hasMessageContaining("give head_dim");
        assertThatThrownBy(() -> new Llama.Config(10, 8, 1, 4, 3, 8, 8, 1e4f, 1e-6f, false, false, false, 0f, 2))
                .hasMessageContaining("key/value heads must divide heads");
    }
}
