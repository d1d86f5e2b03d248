package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A float model folder loads without a second copy of its weights: the layers are built around
 * the tensors decoded from the file (F32, BF16, F16; GPT-2's fused and transposed layout too),
 * the logits are those of the model that was saved, and a damaged folder is still a clear error.
 */
class FloatLoadTest {
    @TempDir
    Path tmp;

    private static final int[] IDS = {1, 5, 9, 29, 17, 2, 7, 0};

    private static Llama llama(boolean tied) {
        return new Llama(new Llama.Config(96, 32, 2, 2, 1, 64, 96, 10000f, 1e-5f, tied, false, false, 0f), new Rng(5));
    }

    private static Gpt gpt(boolean bias) {
        return new Gpt(new Gpt.Config(30, 12, 2, 2, 8, 0f, bias), new Rng(1));
    }

    private static float[] logits(LanguageModel m, int[] ids) {
        try (Autograd.Scope s = Autograd.noGrad()) {
            return m.forward(ids, 1, ids.length).toFloatArray();
        }
    }

    private Path save(String name, LanguageModel m) {
        m.eval();
        Path dir = tmp.resolve(name);
        ModelFolder.save(dir, m, null, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    /** Rewrites the folder's model.safetensors after {@code edit}, storing every tensor as {@code dtype}. */
    private static void rewrite(Path dir, DType dtype, Consumer<Map<String, Tensor>> edit) {
        Path file = dir.resolve("model.safetensors");
        Map<String, Tensor> tensors = SafeTensors.read(file);
        edit.accept(tensors);
        SafeTensors.write(file, tensors, Map.of("format", "pt"), dtype);
    }

    @Test
    void float32FoldersLoadWithTheSameParametersAndLogits() {
        List<LanguageModel> models = List.of(llama(false), llama(true), gpt(true), gpt(false));
        for (LanguageModel saved : models) {
            Path dir = save("m" + models.indexOf(saved), saved);
            LanguageModel back = ModelFolder.load(dir).model();
            assertThat(logits(back, IDS)).containsExactly(logits(saved, IDS));
            assertThat(back.parameters().keySet()).containsExactlyElementsOf(saved.parameters().keySet());
            saved.parameters().forEach((name, t) -> {
                Tensor b = back.parameters().get(name);
                assertThat(b.toFloatArray()).as(name).containsExactly(t.toFloatArray());
                assertThat(b.requiresGrad()).as(name + " trains like any parameter").isTrue();
            });
        }
    }

    @Test
    void bf16AndF16FoldersDecodeStraightIntoTheParameters() {
        record Case(LanguageModel saved, LanguageModel rounded, DType dtype) {}
        for (Case c : List.of(new Case(llama(false), llama(false), DType.BF16),
                new Case(gpt(true), gpt(true), DType.F16), new Case(llama(true), llama(true), DType.F16),
                new Case(gpt(true), gpt(true), DType.BF16))) {
            Path dir = save(c.saved().getClass().getSimpleName() + c.dtype() + c.saved().parameterCount(), c.saved());
            rewrite(dir, c.dtype(), t -> { });
            Map<String, Tensor> rounded = new LinkedHashMap<>();
            c.saved().parameters().forEach((name, t) -> {
                float[] v = t.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = c.dtype() == DType.BF16 ? NarrowFloats.fromBF16(NarrowFloats.toBF16(v[i]))
                            : NarrowFloats.fromF16(NarrowFloats.toF16(v[i]));
                }
                rounded.put(name, Tensor.of(v, t.shape().toArray()));
            });
            c.rounded().loadState(rounded, true);
            c.rounded().eval();
            LanguageModel back = ModelFolder.load(dir).model();
            rounded.forEach((name, t) -> assertThat(back.parameters().get(name).toFloatArray()).as("%s %s", c.dtype(),
                    name).containsExactly(t.toFloatArray()));
            assertThat(logits(back, IDS)).as("%s", c.dtype()).containsExactly(logits(c.rounded(), IDS));
        }
    }

    @Test
    void aModelBuiltWithSuppliedTensorsAsksForEachByNameAndShapeAndTakesThemAsTheyAre() {
        for (LanguageModel source : List.of(llama(false), gpt(true))) {
            Map<String, Tensor> held = source.parameters();
            List<String> asked = new ArrayList<>();
            Map<String, Tensor> given = new LinkedHashMap<>();
            SuppliedWeights supply = new SuppliedWeights() {
                @Override
                public QuantizedMatrix quantized(String name, int rows, int cols) {
                    return null;
                }

                @Override
                public Tensor floatTensor(String name, int... shape) {
                    asked.add(name);
                    assertThat(held.get(name).shape().toArray()).as(name).containsExactly(shape);
                    Tensor t = Tensor.of(held.get(name).toFloatArray(), shape);
                    given.put(name, t);
                    return t;
                }
            };
            LanguageModel built = source instanceof Llama l ? new Llama(l.config(), new Rng(99), supply)
                    : new Gpt(((Gpt) source).config(), new Rng(99), supply);
            assertThat(asked).containsExactlyElementsOf(held.keySet());
            built.parameters().forEach((n, t) -> assertThat(t).as(n).isSameAs(given.get(n)));
            built.eval();
            source.eval();
            assertThat(logits(built, IDS)).containsExactly(logits(source, IDS));
        }
    }

    @Test
    void aSuppliedTensorOfTheWrongShapeIsRefusedByTheLayer() {
        SuppliedWeights wrong = new SuppliedWeights() {
            @Override
            public QuantizedMatrix quantized(String name, int rows, int cols) {
                return null;
            }

            @Override
            public Tensor floatTensor(String name, int... shape) {
                return name.equals("norm.weight") ? Tensor.zeros(3) : null;
            }
        };
        assertThatThrownBy(() -> new Llama(llama(false).config(), new Rng(1), wrong))
                .hasMessageContaining("'weight'").hasMessageContaining("(3,)").hasMessageContaining("(64,)");
    }

    @Test
    void loadingAFloatFolderAllocatesItsWeightsOnce() {
        AllocatedBytes.sofar();                    // skips the test where the JVM does not count
        // Big enough (6-7 MB of float32) to dwarf whatever else a load allocates.
        List<LanguageModel> wide = List.of(
                new Llama(new Llama.Config(512, 64, 2, 4, 4, 256, 512, 10000f, 1e-5f, false, false, false, 0f),
                        new Rng(7)),
                new Gpt(new Gpt.Config(512, 64, 2, 4, 256, 0f, true), new Rng(7)));
        for (LanguageModel m : wide) {
            for (DType dtype : List.of(DType.F32, DType.BF16)) {
                long floatBytes = 4 * m.parameterCount();
                Path dir = save("wide-" + m.getClass().getSimpleName() + dtype, m);
                if (dtype != DType.F32) {
                    rewrite(dir, dtype, t -> { });
                }
                ModelFolder.load(dir); // first load: classes load and caches fill
                long before = AllocatedBytes.sofar();
                LanguageModel back = ModelFolder.load(dir).model();
                long allocated = AllocatedBytes.sofar() - before;
                assertThat(back.parameterCount()).isEqualTo(m.parameterCount());
                // The weights once, and small change (JSON, RoPE tables). Building a randomly initialised
                // model and then copying the file's tensors into it, as loading once did, allocates twice.
                assertThat(allocated).as("%s %s: bytes allocated by a load; float32 weights %d",
                        m.getClass().getSimpleName(), dtype, floatBytes)
                        .isGreaterThanOrEqualTo(floatBytes).isLessThan(floatBytes + floatBytes / 4);
            }
        }
    }

    @Test
    void aDamagedFloatFolderIsStillAClearError() {
        Path dir = save("bad-llama", llama(false));
        rewrite(dir, DType.F32, t -> t.remove("model.layers.1.mlp.up_proj.weight"));
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("do not fit config.json")
                .hasMessageContaining("missing [layers.1.mlp.up_proj.weight]")
                .hasMessageContaining("unexpected []");

        Path extra = save("extra-llama", llama(false));
        rewrite(extra, DType.F32, t -> t.put("model.layers.0.extra.weight", Tensor.zeros(4)));
        assertThatThrownBy(() -> ModelFolder.load(extra)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing []").hasMessageContaining("unexpected [layers.0.extra.weight]");

        Path shape = save("shape-llama", llama(false));
        rewrite(shape, DType.F32, t -> t.put("model.norm.weight", Tensor.ones(8)));
        assertThatThrownBy(() -> ModelFolder.load(shape)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("do not fit config.json")
                .hasMessageContaining("loading 'norm.weight': the checkpoint has shape (8,) but the model expects"
                        + " (64,)");

        Path fused = save("fused-gpt", gpt(true));
        rewrite(fused, DType.F32, t -> t.put("transformer.h.0.attn.c_attn.weight", Tensor.zeros(8, 48)));
        assertThatThrownBy(() -> ModelFolder.load(fused)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("loading 'h.0.attn.q_proj.weight': the checkpoint has shape (16, 8)")
                .hasMessageContaining("'transformer.h.0.attn.c_attn.weight' (8, 48), part 1 of 3 of its last dimension,"
                        + " transposed").hasMessageContaining("the model expects (8, 8)");
        rewrite(fused, DType.F32, t -> t.put("transformer.h.0.attn.c_attn.weight", Tensor.zeros(8, 25)));
        assertThatThrownBy(() -> ModelFolder.load(fused)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'transformer.h.0.attn.c_attn.weight' has shape (8, 25), which cannot be read as"
                        + " part 1 of 3 of its last dimension, transposed");

        Path biases = save("bias-gpt", gpt(false));
        rewrite(biases, DType.F32, t -> t.put("transformer.h.1.mlp.c_fc.bias", Tensor.ones(32)));
        assertThatThrownBy(() -> ModelFolder.load(biases)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("\"bias\": false").hasMessageContaining("is not zero");
    }

    @Test
    void readFloatsCutsTheLastDimensionAndTransposesAsNarrowAndMTDo() {
        Path file = tmp.resolve("t.safetensors");
        Tensor m = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 6);
        for (DType dtype : List.of(DType.F32, DType.BF16)) {
            SafeTensors.write(file, Map.of("m", m, "v", Tensor.of(new float[] {1, 2, 3}, 3)), null, dtype);
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                for (int part = 0; part < 3; part++) {
                    assertThat(f.readFloats("m", part, 3, true)).as("%s part %d", dtype, part)
                            .containsExactly(m.narrow(1, 2 * part, 2).mT().contiguous().toFloatArray());
                    assertThat(f.readFloats("m", part, 3, false))
                            .containsExactly(m.narrow(1, 2 * part, 2).contiguous().toFloatArray());
                }
                assertThat(f.readFloats("m", 0, 1, true)).containsExactly(m.mT().contiguous().toFloatArray());
                assertThat(f.readFloats("m", 0, 1, false)).containsExactly(m.toFloatArray());
                assertThatThrownBy(() -> f.readFloats("m", 0, 4, false)).isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("does not split into 4 equal parts");
                assertThatThrownBy(() -> f.readFloats("v", 0, 1, true)).isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("only a matrix is read transposed");
            }
        }
    }
}
