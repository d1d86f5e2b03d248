package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quantized model folder loads without a float32 copy of its matrices: the layers are built
 * around the packed matrices read from the file, the logits are those of the model that was saved,
 * and a damaged folder is still a clear error.
 */
class QuantizedLoadTest {
    @TempDir
    Path tmp;

    private static Llama small(boolean tied) {
        return new Llama(new Llama.Config(96, 32, 2, 2, 1, 64, 96, 10000f, 1e-5f, tied, false, false, 0f), new Rng(5));
    }

    /** {@link #small}, or for Q4_K the same with width and MLP width 256 (whole super-blocks). */
    private static Llama small(boolean tied, QuantFormat f) {
        if (f.blockSize() == QuantFormat.BLOCK) {
            return small(tied);
        }
        return new Llama(new Llama.Config(96, 32, 2, 2, 1, 256, 256, 10000f, 1e-5f, tied, false, false, 0f), new Rng(5));
    }

    /** Big enough that its float32 matrices (6.3 MB) dwarf whatever else a load allocates. */
    private static Llama wide() {
        return new Llama(new Llama.Config(512, 64, 2, 4, 4, 256, 512, 10000f, 1e-5f, false, false, false, 0f),
                new Rng(7));
    }

    private static void quantizeAll(Module m, QuantFormat f) {
        for (Module x : m.modules()) {
            if (x instanceof Linear l) {
                l.quantize(f);
            } else if (x instanceof Embedding e) {
                e.quantize(f);
            }
        }
    }

    private static float[] logits(Llama m, int[] ids) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            return m.forward(ids, 1, ids.length).toFloatArray();
        }
    }

    private Path saveQuantized(String name, Llama m, QuantFormat f) {
        m.eval();
        quantizeAll(m, f);
        Path dir = tmp.resolve(name);
        ModelFolder.save(dir, m, null, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    @Test
    void everyFormatLoadsWithTheLayersBuiltAroundThePackedMatricesAndTheSameLogits() {
        int[] ids = {1, 5, 9, 33, 60, 2, 7, 95};
        for (boolean tied : new boolean[] {false, true}) {
            for (QuantFormat f : QuantFormat.values()) {
                Llama saved = small(tied, f);
                Path dir = saveQuantized(f.id() + tied, saved, f);
                Llama back = (Llama) ModelFolder.load(dir).model();
                assertThat(logits(back, ids)).as("%s tied=%s", f, tied).containsExactly(logits(saved, ids));
                assertThat(back.quantizedParameters().keySet())
                        .containsExactlyElementsOf(saved.quantizedParameters().keySet());
                assertThat(back.parameters().keySet()).noneMatch(n -> n.endsWith("proj.weight"))
                        .doesNotContain("embed_tokens.weight", "lm_head.weight");
                for (Module m : back.modules()) {
                    if (m instanceof Linear l) {
                        assertThat(l.isQuantized()).isTrue();
                        assertThatThrownBy(l::weight).isInstanceOf(QuantizationException.class);
                    }
                }
                assertThat(((Embedding) back.find("embed_tokens")).isQuantized()).isTrue();
            }
        }
    }

    @Test
    void aModelBuiltWithSuppliedMatricesAsksForEachByNameAndTakesThemAsTheyAre() {
        Llama source = small(false);
        quantizeAll(source, QuantFormat.Q8_0);
        Map<String, QuantizedMatrix> held = source.quantizedParameters();
        List<String> asked = new ArrayList<>();
        Map<String, QuantizedMatrix> given = new LinkedHashMap<>();
        SuppliedWeights supply = (name, rows, cols) -> {
            asked.add(name);
            QuantizedMatrix q = held.get(name);
            assertThat(q.rows()).as(name).isEqualTo(rows);
            assertThat(q.cols()).as(name).isEqualTo(cols);
            given.put(name, q);
            return q;
        };
        Llama built = new Llama(source.config(), new Rng(1), supply);
        assertThat(asked).containsExactlyElementsOf(held.keySet());
        assertThat(built.parameters().keySet()).noneMatch(held::containsKey);
        built.quantizedParameters().forEach((n, q) -> assertThat(q).isSameAs(given.get(n)));
        assertThat(built.parameterCount()).isEqualTo(small(false).parameterCount());
    }

    @Test
    void loadingAQuantizedFolderNeverAllocatesItsMatricesInFloat32() {
        AllocatedBytes.sofar();                    // skips the test where the JVM does not count
        Llama m = wide();
        long floatBytes = 0;
        for (var e : m.parameters().entrySet()) {
            if (e.getKey().endsWith("proj.weight") || e.getKey().equals("embed_tokens.weight")
                    || e.getKey().equals("lm_head.weight")) {
                floatBytes += 4 * e.getValue().numel();
            }
        }
        for (QuantFormat f : QuantFormat.values()) {
            Llama q = wide();
            Path dir = saveQuantized("wide-" + f.id(), q, f);
            long packed = q.quantizedParameters().values().stream().mapToLong(QuantizedMatrix::byteSize).sum();
            ModelFolder.load(dir); // first load: classes load and caches fill
            long before = AllocatedBytes.sofar();
            Llama back = (Llama) ModelFolder.load(dir).model();
            long allocated = AllocatedBytes.sofar() - before;
            assertThat(back.quantizedParameters()).hasSize(q.quantizedParameters().size());
            // One copy of the packed bytes and small change (JSON, norms). Building the float32 model and
            // then swapping the matrices in, as loading once did, allocates all of floatBytes on this thread.
            assertThat(allocated).as("%s: bytes allocated by a load; packed %d, float32 %d", f, packed, floatBytes)
                    .isLessThan(packed + floatBytes / 4);
        }
    }

    @Test
    void aDamagedQuantizedFolderIsStillAClearError() throws Exception {
        Path dir = saveQuantized("bad", small(false), QuantFormat.Q8_0);
        Path config = dir.resolve("config.json");
        String good = Files.readString(config);
        String up = "\"model.layers.0.mlp.up_proj.weight\" : [ 96, 64 ]";
        assertThat(good).contains(up);

        // the same bytes read as a matrix of another shape: it fits no layer
        Files.writeString(config, good.replace(up, "\"model.layers.0.mlp.up_proj.weight\" : [ 192, 32 ]"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'model.layers.0.mlp.up_proj.weight' does not fit")
                .hasMessageContaining("192 x 32").hasMessageContaining("(96, 64)");

        // bytes that are not blocks of the listed shape
        Files.writeString(config, good.replace(up, "\"model.layers.0.mlp.up_proj.weight\" : [ 96, 32 ]"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not fit").hasMessageContaining("takes");

        // a listed tensor the file lacks
        Files.writeString(config, good.replace(up, up + ", \"model.layers.7.mlp.up_proj.weight\" : [ 96, 64 ]"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'model.layers.7.mlp.up_proj.weight'").hasMessageContaining("does not hold it");

        // a float tensor listed as quantized
        Files.writeString(config, good.replace(up, up + ", \"model.norm.weight\" : [ 2, 32 ]"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'model.norm.weight' is stored as F32");

        // a quantized head that the model (now tied) has no layer for
        Files.writeString(config, good.replace("\"tie_word_embeddings\" : false", "\"tie_word_embeddings\" : true"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'lm_head.weight' is not the weight of a linear layer or an embedding");

        Files.writeString(config, good);
        assertThat(ModelFolder.load(dir).model().quantizedParameters()).isNotEmpty();
    }
}
