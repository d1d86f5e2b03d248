package dev.hearth.lab.compress;

import static dev.hearth.lab.compress.PruneFixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrunerTest {
    @TempDir
    Path tmp;

    private Path data;
    private Path model;

    @BeforeEach
    void setUp() throws Exception {
        data = PruneFixtures.dataset(tmp, "calib", PruneFixtures.TEXT);
        model = PruneFixtures.model(tmp, "model", data, 2, 48, false);
    }

    private static Map<String, Linear> targets(Path dir) {
        return PruneTargets.of(ModelFolder.load(dir).model());
    }

    private static int zeros(float[] w, int from, int n) {
        int z = 0;
        for (int i = from; i < from + n; i++) {
            if (w[i] == 0f) {
                z++;
            }
        }
        return z;
    }

    @Test
    void magnitudeZeroesTheSmallestHalfOfEveryBlockMatrixAndNothingElse() throws Exception {
        Path out = tmp.resolve("mag");
        Pruner.Report r = Pruner.prune(model, options(PruneMethod.MAGNITUDE, 0.5, null), out, new Pruner.Listener() {});
        Map<String, Linear> before = targets(model);
        Map<String, Linear> after = targets(out);
        assertThat(after).hasSize(14).containsKey("layers.0.attn.q_proj.weight").doesNotContainKey("lm_head.weight");
        for (var e : after.entrySet()) {
            float[] a = e.getValue().weight().toFloatArray();
            float[] b = before.get(e.getKey()).weight().toFloatArray();
            assertThat(zeros(a, 0, a.length)).as(e.getKey()).isEqualTo(a.length / 2);
            float maxCut = 0;
            float minKept = Float.MAX_VALUE;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == 0f) {
                    maxCut = Math.max(maxCut, Math.abs(b[i]));
                } else {
                    assertThat(a[i]).isEqualTo(b[i]);
                    minKept = Math.min(minKept, Math.abs(b[i]));
                }
            }
            assertThat(maxCut).as(e.getKey()).isLessThanOrEqualTo(minKept);
        }
        LanguageModel m0 = ModelFolder.load(model).model();
        LanguageModel m1 = ModelFolder.load(out).model();
        assertThat(m1.parameters().get("embed_tokens.weight").toFloatArray())
                .containsExactly(m0.parameters().get("embed_tokens.weight").toFloatArray());
        assertThat(r.totalSparsity()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.parametersAfter()).isEqualTo(r.parametersBefore());
        assertThat(r.weightBytesAfter()).as("the same float32 tensors; only the header's provenance differs")
                .isCloseTo(r.weightBytesBefore(), org.assertj.core.data.Offset.offset(1024L));
        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("prune.json")));
        assertThat(json.get("method").asText()).isEqualTo("magnitude");
        assertThat(json.get("matrices")).hasSize(14);
        assertThat(json.get("perplexity").isNull()).isTrue();
    }

    @Test
    void wandaPrunesEveryRowEquallyAndWeighsTheInputs() {
        Path wanda = tmp.resolve("wanda");
        Pruner.Report r = Pruner.prune(model, options(PruneMethod.WANDA, 0.5, data), wanda, new Pruner.Listener() {});
        assertThat(r.calibrationSequences()).isPositive();
        Path mag = tmp.resolve("mag");
        Pruner.prune(model, options(PruneMethod.MAGNITUDE, 0.5, null), mag, new Pruner.Listener() {});
        Map<String, Linear> w = targets(wanda);
        Map<String, Linear> m = targets(mag);
        boolean differs = false;
        for (var e : w.entrySet()) {
            Linear l = e.getValue();
            float[] a = l.weight().toFloatArray();
            for (int row = 0; row < l.outFeatures(); row++) {
                assertThat(zeros(a, row * l.inFeatures(), l.inFeatures())).isEqualTo(l.inFeatures() / 2);
            }
            differs |= !Arrays.equals(a, m.get(e.getKey()).weight().toFloatArray());
        }
        assertThat(differs).as("Wanda's activation term changes what is pruned").isTrue();
    }

    @Test
    void wandaScoreIsWeightTimesInputNorm() {
        Linear l = new Linear(Tensor.of(new float[] {1, -4, 2, 3}, 1, 4), null);
        float[] s = UnstructuredPruning.scores(l, new double[] {10, 0.1, 1, 1});
        assertThat(s).containsExactly(10f, 0.4f, 2f, 3f);
        var masks = UnstructuredPruning.byScore(Map.of("w", l), Map.of("w", s), 0.5, UnstructuredPruning.Scope.ROW);
        assertThat(l.weight().toFloatArray()).containsExactly(1, 0, 0, 3);
        assertThat(masks.pruned().get("w").cardinality()).isEqualTo(2);
    }

    @Test
    void rowScopeLetsMagnitudeCompareWithinRowsAndLayerScopeLetsWandaCompareWithinMatrices() {
        Pruner.Options magRow = new Pruner.Options(PruneMethod.MAGNITUDE, 0.5, "row", null, null, 8, null, 0, 4, 3e-4,
                256, 0);
        Pruner.Report r = Pruner.prune(model, magRow, tmp.resolve("mag-row"), new Pruner.Listener() {});
        assertThat(r.scope()).isEqualTo("row");
        Map<String, Linear> before = targets(model);
        boolean rowsDifferFromMatrixRanking = false;
        for (var e : targets(tmp.resolve("mag-row")).entrySet()) {
            Linear l = e.getValue();
            int in = l.inFeatures();
            float[] a = l.weight().toFloatArray();
            float[] b = before.get(e.getKey()).weight().toFloatArray();
            for (int row = 0; row < l.outFeatures(); row++) {
                assertThat(zeros(a, row * in, in)).as(e.getKey() + " row " + row).isEqualTo(in / 2);
                float maxCut = 0;
                float minKept = Float.MAX_VALUE;
                for (int j = row * in; j < (row + 1) * in; j++) {
                    if (a[j] == 0f) {
                        maxCut = Math.max(maxCut, Math.abs(b[j]));
                    } else {
                        minKept = Math.min(minKept, Math.abs(b[j]));
                    }
                }
                assertThat(maxCut).as(e.getKey() + " row " + row).isLessThanOrEqualTo(minKept);
            }
        }
        Pruner.prune(model, options(PruneMethod.MAGNITUDE, 0.5, null), tmp.resolve("mag-layer"),
                new Pruner.Listener() {});
        for (var e : targets(tmp.resolve("mag-layer")).entrySet()) {
            rowsDifferFromMatrixRanking |= !Arrays.equals(e.getValue().weight().toFloatArray(),
                    targets(tmp.resolve("mag-row")).get(e.getKey()).weight().toFloatArray());
        }
        assertThat(rowsDifferFromMatrixRanking).isTrue();

        Pruner.Report wandaDefault = Pruner.prune(model, options(PruneMethod.WANDA, 0.5, data), tmp.resolve("w-row"),
                new Pruner.Listener() {});
        assertThat(wandaDefault.scope()).as("Wanda compares within rows unless told").isEqualTo("row");
        Pruner.Options wandaLayer = new Pruner.Options(PruneMethod.WANDA, 0.5, "layer", null, data, 8, null, 0, 4,
                3e-4, 256, 0);
        assertThat(Pruner.prune(model, wandaLayer, tmp.resolve("w-layer"), new Pruner.Listener() {}).scope())
                .isEqualTo("layer");
        boolean unevenRows = false;
        for (var e : targets(tmp.resolve("w-layer")).entrySet()) {
            Linear l = e.getValue();
            float[] a = l.weight().toFloatArray();
            assertThat(zeros(a, 0, a.length)).as(e.getKey()).isEqualTo(a.length / 2);
            for (int row = 0; row < l.outFeatures(); row++) {
                unevenRows |= zeros(a, row * l.inFeatures(), l.inFeatures()) != l.inFeatures() / 2;
            }
        }
        assertThat(unevenRows).as("one ranking per matrix lets rows keep different counts").isTrue();
        Pruner.Options bad = new Pruner.Options(PruneMethod.WANDA, 0.5, "column", null, data, 8, null, 0, 4, 3e-4,
                256, 0);
        assertThatThrownBy(() -> Pruner.prune(model, bad, tmp.resolve("bad"), new Pruner.Listener() {}))
                .isInstanceOf(PruningException.class).hasMessageContaining("--scope column is not a scope")
                .hasMessageContaining("row (each output row)");
    }

    @Test
    void globalScopeRanksAllMatricesTogether() {
        Path out = tmp.resolve("global");
        Pruner.Options o = new Pruner.Options(PruneMethod.MAGNITUDE, 0.4, "global", null, null, 8, null, 0, 4, 3e-4,
                256, 0);
        Pruner.Report r = Pruner.prune(model, o, out, new Pruner.Listener() {});
        long total = r.matrices().stream().mapToLong(Pruner.MatrixSparsity::weightsBefore).sum();
        long zeros = r.matrices().stream().mapToLong(Pruner.MatrixSparsity::zeros).sum();
        assertThat(zeros).isEqualTo((long) Math.floor(0.4 * total));
        assertThat(r.matrices().stream().mapToDouble(Pruner.MatrixSparsity::sparsity).distinct().count())
                .as("layers end with different sparsities").isGreaterThan(1);
    }

    @Test
    void twoOfFourLeavesTwoZerosInEveryGroupOfFour() {
        Path out = tmp.resolve("24");
        Pruner.Options o = new Pruner.Options(PruneMethod.SEMI_2_4, Double.NaN, null, "wanda", data, 8, null, 0, 4,
                3e-4, 256, 0);
        Pruner.Report r = Pruner.prune(model, o, out, new Pruner.Listener() {});
        assertThat(r.requestedSparsity()).isEqualTo(0.5);
        for (Linear l : targets(out).values()) {
            float[] a = l.weight().toFloatArray();
            for (int g = 0; g < a.length; g += 4) {
                assertThat(zeros(a, g, 4)).isEqualTo(2);
            }
        }
    }

    @Test
    void channelPruningShrinksTheMlpAndEqualsZeroingThoseChannels() {
        Path out = tmp.resolve("channels");
        Pruner.Report r = Pruner.prune(model, options(PruneMethod.CHANNELS, 0.25, data), out, new Pruner.Listener() {});
        Llama small = (Llama) ModelFolder.load(out).model();
        assertThat(small.config().hidden()).isEqualTo(36);
        assertThat(r.parametersAfter()).isEqualTo(r.parametersBefore() - 2L * 12 * 32 * 3);
        Llama full = (Llama) ModelFolder.load(model).model();
        r.removedPerLayer().forEach((layer, channels) -> {
            assertThat(channels).hasSize(12);
            Tensor w = ((Linear) full.find("layers." + layer + ".mlp.down_proj")).weight();
            for (int row = 0; row < 32; row++) {
                for (int c : channels) {
                    w.data()[w.offset() + row * 48 + c] = 0f;
                }
            }
        });
        assertSameLogits(full, small);
    }

    @Test
    void headPruningRemovesWholeKeyValueGroupsAndEqualsZeroingTheirOutputs() throws Exception {
        Path biased = PruneFixtures.model(tmp, "biased", data, 2, 48, true);
        Path out = tmp.resolve("heads");
        Pruner.Report r = Pruner.prune(biased, options(PruneMethod.HEADS, 0.5, data), out, new Pruner.Listener() {});
        Llama small = (Llama) ModelFolder.load(out).model();
        assertThat(small.config().heads()).isEqualTo(2);
        assertThat(small.config().kvHeads()).isEqualTo(1);
        assertThat(small.config().headDim()).isEqualTo(8);
        assertThat(small.config().dim()).isEqualTo(32);
        JsonNode config = new ObjectMapper().readTree(Files.readString(out.resolve("config.json")));
        assertThat(config.get("head_dim").asInt()).isEqualTo(8);
        Llama full = (Llama) ModelFolder.load(biased).model();
        r.removedPerLayer().forEach((layer, groups) -> {
            assertThat(groups).hasSize(1);
            Tensor o = ((Linear) full.find("layers." + layer + ".attn.o_proj")).weight();
            for (int row = 0; row < 32; row++) {
                for (int col = groups[0] * 16; col < groups[0] * 16 + 16; col++) {
                    o.data()[o.offset() + row * 32 + col] = 0f;
                }
            }
        });
        assertSameLogits(full, small);
        assertThat(r.perplexity().afterFineTune()).isNull();
    }

    private static void assertSameLogits(LanguageModel a, LanguageModel b) {
        int[] ids = {1, 5, 3, 9, 2, 7, 4, 4, 8, 0, 6, 2};
        try (Autograd.Scope g = Autograd.noGrad()) {
            float[] x = a.forward(ids, 1, ids.length).toFloatArray();
            float[] y = b.forward(ids, 1, ids.length).toFloatArray();
            assertThat(y).hasSameSizeAs(x);
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void fineTuneKeepsPrunedWeightsExactlyZeroAndTrainsTheRest() {
        Path plain = tmp.resolve("plain");
        Pruner.prune(model, options(PruneMethod.MAGNITUDE, 0.5, null), plain, new Pruner.Listener() {});
        Path tuned = tmp.resolve("tuned");
        int[] steps = {0};
        Pruner.Options o = new Pruner.Options(PruneMethod.MAGNITUDE, 0.5, null, null, null, 8, data, 6, 2, 1e-2, 256,
                0);
        Pruner.Report r = Pruner.prune(model, o, tuned, new Pruner.Listener() {
            @Override
            public void fineTuneStep(int step, int total) {
                steps[0] = step;
            }
        });
        assertThat(steps[0]).isEqualTo(6);
        assertThat(r.fineTune().steps()).isEqualTo(6);
        assertThat(r.perplexity().afterFineTune()).isNotNull();
        Map<String, Linear> p = targets(plain);
        boolean changed = false;
        for (var e : targets(tuned).entrySet()) {
            float[] t = e.getValue().weight().toFloatArray();
            float[] q = p.get(e.getKey()).weight().toFloatArray();
            for (int i = 0; i < t.length; i++) {
                if (q[i] == 0f) {
                    assertThat(t[i]).as(e.getKey() + "[" + i + "]").isEqualTo(0f);
                } else {
                    changed |= t[i] != q[i];
                }
            }
        }
        assertThat(changed).as("the fine-tune moved the kept weights").isTrue();
    }

    @Test
    void pruneFineTuneReappliesTheMaskAfterEveryStep() {
        LanguageModel m = ModelFolder.load(model).model();
        Map<String, Linear> layers = PruneTargets.of(m);
        Map<String, float[]> s = new java.util.LinkedHashMap<>();
        layers.forEach((n, l) -> s.put(n, UnstructuredPruning.scores(l, null)));
        var masks = UnstructuredPruning.byScore(layers, s, 0.6, UnstructuredPruning.Scope.LAYER).pruned();
        try (var d = dev.hearth.lab.data.TokenDataset.open(data)) {
            for (int step = 1; step <= 3; step++) {
                PruneFineTune.run(m, layers, masks, d.split("train"), 1, 2, 1e-2, step, x -> { });
                masks.forEach((n, bits) -> {
                    float[] w = layers.get(n).weight().toFloatArray();
                    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                        assertThat(w[i]).isEqualTo(0f);
                    }
                });
            }
        }
    }

    @Test
    void gpt2TakesUnstructuredPruningAndRefusesStructured() {
        var tok = PruneFixtures.tokenizerOf(data);
        Path gpt = tmp.resolve("gpt");
        ModelFolder.save(gpt, new dev.hearth.engine.models.Gpt(new dev.hearth.engine.models.Gpt.Config(
                tok.vocabSize(), 32, 2, 2, 16, 0f, true), new dev.hearth.engine.tensor.Rng(4)), tok, null, Map.of());
        Pruner.Report r = Pruner.prune(gpt, options(PruneMethod.MAGNITUDE, 0.5, null), tmp.resolve("gpt-mag"),
                new Pruner.Listener() {});
        assertThat(r.totalSparsity()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        for (Linear l : targets(tmp.resolve("gpt-mag")).values()) {
            float[] w = l.weight().toFloatArray();
            assertThat(zeros(w, 0, w.length)).isEqualTo(w.length / 2);
        }
        assertThatThrownBy(() -> Pruner.prune(gpt, options(PruneMethod.HEADS, 0.5, data), tmp.resolve("gpt-h"),
                new Pruner.Listener() {})).isInstanceOf(PruningException.class)
                .hasMessageContaining("handles Llama-family models");
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        Pruner.Listener none = new Pruner.Listener() {};
        assertThatThrownBy(() -> Pruner.prune(tmp, options(PruneMethod.MAGNITUDE, 0.5, null), tmp.resolve("a"), none))
                .hasMessageContaining("not a model folder");
        for (double s : new double[] {1.0, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.MAGNITUDE, s, null), tmp.resolve("b"),
                    none)).isInstanceOf(PruningException.class).hasMessageContaining("outside [0, 1)");
        }
        assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.HEADS, 0.4, data), tmp.resolve("c"), none))
                .isInstanceOf(PruningException.class).hasMessageContaining("0.4 of 2 key/value groups")
                .hasMessageContaining("removes none").hasMessageContaining("at least 0.5000");
        assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.CHANNELS, 0.01, data), tmp.resolve("d"),
                none)).isInstanceOf(PruningException.class).hasMessageContaining("of 48 MLP channels removes none");
        Path mqa = PruneFixtures.model(tmp, "mqa", data, 1, 48, false);
        assertThatThrownBy(() -> Pruner.prune(mqa, options(PruneMethod.HEADS, 0.5, data), tmp.resolve("d2"), none))
                .isInstanceOf(PruningException.class).hasMessageContaining("this model cannot be pruned this way");
        assertThatThrownBy(() -> StructuredPruning.count(1.0, 4, "heads")).hasMessageContaining("leaving 0");
        assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.WANDA, 0.5, null), tmp.resolve("e"), none))
                .isInstanceOf(PruningException.class).hasMessageContaining("give --calibration");
        Path odd = PruneFixtures.model(tmp, "odd", data, 2, 42, false);
        assertThatThrownBy(() -> Pruner.prune(odd, new Pruner.Options(PruneMethod.SEMI_2_4, Double.NaN, null, null,
                null, 8, null, 0, 4, 3e-4, 256, 0), tmp.resolve("f"), none)).isInstanceOf(PruningException.class)
                .hasMessageContaining("layers.0.mlp.down_proj.weight (input width 42)")
                .hasMessageContaining("not a multiple of 4");
        Path q8 = tmp.resolve("q8");
        Quantizer.quantize(model, QuantFormat.Q8_0, q8);
        assertThatThrownBy(() -> Pruner.prune(q8, options(PruneMethod.MAGNITUDE, 0.5, null), tmp.resolve("g"), none))
                .isInstanceOf(PruningException.class).hasMessageContaining("already quantized (q8_0)");
        Path other = PruneFixtures.dataset(tmp, "other", "ZYXWVUTSRQ 0123456789 zyxwvutsrq ponmlk!? ");
        assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.WANDA, 0.5, other), tmp.resolve("h"), none))
                .isInstanceOf(PruningException.class).hasMessageContaining("prepared with another tokenizer");
        assertThatThrownBy(() -> Pruner.prune(model, options(PruneMethod.MAGNITUDE, 0.5, null), model, none))
                .isInstanceOf(PruningException.class).hasMessageContaining("is the model folder itself");
        assertThatThrownBy(() -> Pruner.prune(model, new Pruner.Options(PruneMethod.MAGNITUDE, 0.5, null, null, null,
                8, null, 5, 4, 3e-4, 256, 0), tmp.resolve("i"), none)).isInstanceOf(PruningException.class)
                .hasMessageContaining("needs --data");
    }
}
