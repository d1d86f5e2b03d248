package dev.hearth.lab.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.GgmlType;
import dev.hearth.engine.io.GgufFile;
import dev.hearth.engine.io.GgufValue;
import dev.hearth.engine.io.GgufValueType;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.NarrowFloats;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.quant.Q4_KMatrix;
import dev.hearth.engine.quant.Q8_0Matrix;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.CharTokenizerConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GgufExporter}: every key, tensor name, shape, type, offset and byte of an exported small Llama. */
class GgufExporterTest {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog.\nthe dog sleeps in the sun!";

    @TempDir
    Path tmp;

    // vocabulary 40 > the tokenizer's, width 64, 2 layers, 4 heads, 2 key/value heads, SwiGLU 96, untied
    private static final Llama.Config CONFIG = new Llama.Config(40, 48, 2, 4, 2, 64, 96, 10000f, 1e-5f, false, false,
            false, 0f);

    private Path saveCharModel(Llama.Config config, String name) {
        CharTokenizer tok = CharTokenizer.train(List.of(TEXT), CharTokenizerConfig.CHARACTERS_ONLY
                .withUnknownToken("<unk>").withSpecialTokens(List.of("<|endoftext|>")));
        Llama model = new Llama(config, new Rng(7));
        Path dir = tmp.resolve(name);
        ModelFolder.save(dir, model, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    private static float[] floats(byte[] b) {
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Test
    void f32ExportHoldsEveryKeyTensorAndByte() {
        Path dir = saveCharModel(CONFIG, "model");
        Path out = tmp.resolve("m.gguf");
        GgufExporter.Result r = GgufExporter.export(dir, out, GgufExporter.Type.AS_STORED, "tiny");
        assertThat(r.type()).isEqualTo(GgufExporter.Type.F32);
        assertThat(r.tokenizer()).isEqualTo("llama");
        GgufFile g = GgufFile.read(out);
        assertThat(g.version()).isEqualTo(3);
        assertThat(g.alignment()).isEqualTo(32);
        assertThat(g.fileSize()).isEqualTo(r.bytes());
        assertThat(g.get("general.architecture")).isEqualTo(GgufValue.string("llama"));
        assertThat(g.get("general.name")).isEqualTo(GgufValue.string("tiny"));
        assertThat(g.get("general.file_type")).isEqualTo(GgufValue.uint32(0));
        assertThat(g.get("general.alignment")).isEqualTo(GgufValue.uint32(32));
        assertThat(g.get("llama.vocab_size")).isEqualTo(GgufValue.uint32(40));
        assertThat(g.get("llama.context_length")).isEqualTo(GgufValue.uint32(48));
        assertThat(g.get("llama.embedding_length")).isEqualTo(GgufValue.uint32(64));
        assertThat(g.get("llama.block_count")).isEqualTo(GgufValue.uint32(2));
        assertThat(g.get("llama.feed_forward_length")).isEqualTo(GgufValue.uint32(96));
        assertThat(g.get("llama.attention.head_count")).isEqualTo(GgufValue.uint32(4));
        assertThat(g.get("llama.attention.head_count_kv")).isEqualTo(GgufValue.uint32(2));
        assertThat(g.get("llama.attention.layer_norm_rms_epsilon")).isEqualTo(GgufValue.float32(1e-5f));
        assertThat(g.get("llama.rope.freq_base")).isEqualTo(GgufValue.float32(10000f));
        assertThat(g.get("llama.rope.dimension_count")).isEqualTo(GgufValue.uint32(16));

        List<String> names = new ArrayList<>(List.of("token_embd.weight"));
        for (int i = 0; i < 2; i++) {
            for (String t : List.of("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
                    "ffn_up", "ffn_down")) {
                names.add("blk." + i + "." + t + ".weight");
            }
        }
        names.add("output_norm.weight");
        names.add("output.weight");
        assertThat(g.tensors()).extracting(GgufFile.TensorInfo::name).containsExactlyElementsOf(names);
        assertThat(g.tensors()).allSatisfy(t -> assertThat(t.type()).isEqualTo(GgmlType.F32));
        assertThat(g.tensor("token_embd.weight").ne()).containsExactly(64, 40);
        assertThat(g.tensor("blk.0.attn_q.weight").ne()).containsExactly(64, 64);
        assertThat(g.tensor("blk.0.attn_k.weight").ne()).containsExactly(64, 32);
        assertThat(g.tensor("blk.0.attn_v.weight").ne()).containsExactly(64, 32);
        assertThat(g.tensor("blk.1.ffn_gate.weight").ne()).containsExactly(64, 96);
        assertThat(g.tensor("blk.1.ffn_down.weight").ne()).containsExactly(96, 64);
        assertThat(g.tensor("blk.1.attn_norm.weight").ne()).containsExactly(64);
        assertThat(g.tensor("output.weight").ne()).containsExactly(64, 40);
        long end = 0;
        for (GgufFile.TensorInfo t : g.tensors()) {
            assertThat(t.offset()).as(t.name()).isGreaterThanOrEqualTo(end);
            assertThat(t.offset() % 32).as(t.name()).isZero();
            end = t.offset() + t.byteSize();
        }
        assertThat(g.dataStart() % 32).isZero();
        assertThat(g.dataStart() + end).isLessThanOrEqualTo(g.fileSize());

        Llama model = (Llama) ModelFolder.load(dir).model();
        var p = model.parameters();
        assertThat(floats(g.tensorBytes(g.tensor("token_embd.weight"))))
                .containsExactly(p.get("embed_tokens.weight").toFloatArray());
        assertThat(floats(g.tensorBytes(g.tensor("blk.1.ffn_down.weight"))))
                .containsExactly(p.get("layers.1.mlp.down_proj.weight").toFloatArray());
        assertThat(floats(g.tensorBytes(g.tensor("blk.0.attn_v.weight"))))
                .containsExactly(p.get("layers.0.attn.v_proj.weight").toFloatArray());
        assertThat(floats(g.tensorBytes(g.tensor("output_norm.weight")))).containsExactly(p.get("norm.weight").toFloatArray());
        assertThat(floats(g.tensorBytes(g.tensor("output.weight")))).containsExactly(p.get("lm_head.weight").toFloatArray());
        // query rows go from rotate-half pairs (i, i + 8) to adjacent pairs (2i, 2i + 1) within each head of 16
        float[] q = p.get("layers.0.attn.q_proj.weight").toFloatArray();
        float[] gq = floats(g.tensorBytes(g.tensor("blk.0.attn_q.weight")));
        float[] k = p.get("layers.1.attn.k_proj.weight").toFloatArray();
        float[] gk = floats(g.tensorBytes(g.tensor("blk.1.attn_k.weight")));
        for (int h = 0; h < 4; h++) {
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 2; j++) {
                    for (int col = 0; col < 64; col++) {
                        assertThat(gq[(h * 16 + 2 * i + j) * 64 + col]).isEqualTo(q[(h * 16 + j * 8 + i) * 64 + col]);
                        if (h < 2) {
                            assertThat(gk[(h * 16 + 2 * i + j) * 64 + col]).isEqualTo(k[(h * 16 + j * 8 + i) * 64 + col]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void headsNarrowerThanTheWidthGiveTheHeadSize() {
        // what head pruning leaves: 2 heads of 16 in a width of 64
        Path dir = saveCharModel(new Llama.Config(40, 16, 1, 2, 1, 64, 96, 10000f, 1e-5f, false, false, false, 0f, 16),
                "pruned");
        GgufFile g = GgufFile.read(GgufExporter.export(dir, tmp.resolve("p.gguf"), GgufExporter.Type.F32, null).out());
        assertThat(g.get("llama.rope.dimension_count")).isEqualTo(GgufValue.uint32(16));
        assertThat(g.get("llama.attention.key_length")).isEqualTo(GgufValue.uint32(16));
        assertThat(g.get("llama.attention.value_length")).isEqualTo(GgufValue.uint32(16));
        assertThat(g.tensor("blk.0.attn_q.weight").ne()).containsExactly(64, 32);
        assertThat(g.tensor("blk.0.attn_output.weight").ne()).containsExactly(32, 64);
        GgufFile plain = GgufFile.read(GgufExporter.export(saveCharModel(CONFIG, "plain"), tmp.resolve("q.gguf"),
                GgufExporter.Type.F32, null).out());
        assertThat(plain.metadata()).doesNotContainKey("llama.attention.key_length");
    }

    @Test
    void characterTokenizerBecomesSentencePieceWithSpaceAsU2581() {
        Path dir = saveCharModel(CONFIG, "model");
        Path out = tmp.resolve("m.gguf");
        GgufExporter.Result r = GgufExporter.export(dir, out, GgufExporter.Type.AS_STORED, null);
        GgufFile g = GgufFile.read(out);
        CharTokenizer tok = (CharTokenizer) ModelFolder.load(dir).tokenizer();
        List<?> tokens = g.get("tokenizer.ggml.tokens").asList("tokens");
        List<?> types = g.get("tokenizer.ggml.token_type").asList("types");
        assertThat(g.get("tokenizer.ggml.model")).isEqualTo(GgufValue.string("llama"));
        assertThat(tokens).hasSize(40);
        assertThat(types).hasSize(40);
        assertThat(g.get("tokenizer.ggml.scores").asList("scores")).hasSize(40);
        assertThat(g.get("tokenizer.ggml.token_type").elementType()).isEqualTo(GgufValueType.INT32);
        for (int id = 0; id < tok.vocabSize(); id++) {
            String t = tok.token(id);
            assertThat(tokens.get(id)).isEqualTo(t.equals(" ") ? "▁" : t);
        }
        int space = tok.tokenId(" ").getAsInt();
        assertThat(types.get(space)).isEqualTo(1L);
        assertThat(types.get(tok.tokenId("\n").getAsInt())).isEqualTo(1L);
        int unk = tok.tokenId("<unk>").getAsInt();
        assertThat(types.get(unk)).isEqualTo(2L);
        assertThat(g.get("tokenizer.ggml.unknown_token_id")).isEqualTo(GgufValue.uint32(unk));
        assertThat(types.get(tok.tokenId("<|endoftext|>").getAsInt())).isEqualTo(3L);
        for (int id = tok.vocabSize(); id < 40; id++) {
            assertThat(tokens.get(id)).isEqualTo("[PAD" + id + "]");
            assertThat(types.get(id)).isEqualTo(5L);
        }
        // no end token named: the first unused id stands in, so llama.cpp does not stop at its default 2
        assertThat(g.get("tokenizer.ggml.eos_token_id")).isEqualTo(GgufValue.uint32(tok.vocabSize()));
        assertThat(r.warnings()).singleElement().asString().contains("unused id " + tok.vocabSize());
        assertThat(g.get("tokenizer.ggml.add_bos_token")).isEqualTo(GgufValue.bool(false));
        assertThat(g.get("tokenizer.ggml.add_space_prefix")).isEqualTo(GgufValue.bool(false));
        assertThat(g.metadata()).doesNotContainKey("tokenizer.ggml.bos_token_id");
    }

    @Test
    void byteLevelBpeBecomesGpt2WithItsMergesAndEndToken() {
        ByteLevelBpeTokenizer tok = BpeTrainer.train(List.of(TEXT), BpeTrainingConfig.gpt2(300)
                .withSpecialTokens(List.of("<|endoftext|>"))).tokenizer();
        Llama model = new Llama(new Llama.Config(tok.vocabSize(), 32, 1, 2, 2, 32, 64, 10000f, 1e-6f, true, false,
                false, 0f), new Rng(3));
        Path dir = tmp.resolve("bpe");
        int eos = tok.specialTokenId("<|endoftext|>").getAsInt();
        ModelFolder.save(dir, model, tok, GenerationConfig.defaults(-1, List.of(eos)), Map.of());
        Path out = tmp.resolve("bpe.gguf");
        GgufExporter.Result r = GgufExporter.export(dir, out, GgufExporter.Type.F32, null);
        assertThat(r.tokenizer()).isEqualTo("gpt2 (pre-tokenizer gpt-2)");
        assertThat(r.warnings()).isEmpty();
        GgufFile g = GgufFile.read(out);
        assertThat(g.get("tokenizer.ggml.model")).isEqualTo(GgufValue.string("gpt2"));
        assertThat(g.get("tokenizer.ggml.pre")).isEqualTo(GgufValue.string("gpt-2"));
        List<?> tokens = g.get("tokenizer.ggml.tokens").asList("tokens");
        assertThat(tokens).hasSize(tok.vocabSize());
        for (int id = 0; id < tok.vocabSize(); id++) {
            assertThat(tokens.get(id)).isEqualTo(tok.token(id));
        }
        List<?> merges = g.get("tokenizer.ggml.merges").asList("merges");
        assertThat(merges).hasSize(tok.merges().size());
        assertThat(merges.get(0)).isEqualTo(tok.merges().get(0).left() + " " + tok.merges().get(0).right());
        assertThat(g.get("tokenizer.ggml.token_type").asList("t").get(eos)).isEqualTo(3L);
        assertThat(g.get("tokenizer.ggml.eos_token_id")).isEqualTo(GgufValue.uint32(eos));
        // tied: no output tensor, llama.cpp reads the head from token_embd
        assertThat(g.tensors()).extracting(GgufFile.TensorInfo::name).doesNotContain("output.weight")
                .contains("token_embd.weight");
    }

    @Test
    void quantizedFolderIsWrittenFromItsBlocksAndTypesAreChecked() {
        Path dir = saveCharModel(CONFIG, "model");
        Path q8 = tmp.resolve("q8");
        Quantizer.quantize(dir, QuantFormat.Q8_0, q8);
        Path out = tmp.resolve("q8.gguf");
        GgufExporter.Result r = GgufExporter.export(q8, out, GgufExporter.Type.AS_STORED, null);
        assertThat(r.type()).isEqualTo(GgufExporter.Type.Q8_0);
        GgufFile g = GgufFile.read(out);
        assertThat(g.get("general.file_type")).isEqualTo(GgufValue.uint32(7));
        assertThat(g.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q8_0);
        assertThat(g.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
        assertThat(g.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
        Llama model = (Llama) ModelFolder.load(q8).model();
        var qp = model.quantizedParameters();
        assertThat(g.tensorBytes(g.tensor("blk.0.ffn_up.weight")))
                .isEqualTo(((Q8_0Matrix) qp.get("layers.0.mlp.up_proj.weight")).blocks());
        byte[] qBlocks = ((Q8_0Matrix) qp.get("layers.1.attn.q_proj.weight")).blocks();
        assertThat(g.tensorBytes(g.tensor("blk.1.attn_q.weight")))
                .isEqualTo(GgufExporter.permuteRows(qBlocks, 64, QuantFormat.Q8_0.rowBytes(64), 4));
        // quantizing the float folder at export gives the same bytes as hearth quantize
        Path direct = tmp.resolve("direct.gguf");
        GgufExporter.export(dir, direct, GgufExporter.Type.Q8_0, null);
        GgufFile d = GgufFile.read(direct);
        for (GgufFile.TensorInfo t : g.tensors()) {
            assertThat(d.tensorBytes(d.tensor(t.name()))).as(t.name()).isEqualTo(g.tensorBytes(t));
        }
        assertThatThrownBy(() -> GgufExporter.export(q8, tmp.resolve("x.gguf"), GgufExporter.Type.F32, null))
                .isInstanceOf(GgufExportException.class).hasMessageContaining("is quantized (q8_0)")
                .hasMessageContaining("leave --type out");
        Path int8 = tmp.resolve("int8");
        Quantizer.quantize(dir, QuantFormat.INT8, int8);
        assertThatThrownBy(() -> GgufExporter.export(int8, tmp.resolve("y.gguf"), GgufExporter.Type.AS_STORED, null))
                .isInstanceOf(GgufExportException.class).hasMessageContaining("per-channel int8");
    }

    @Test
    void q4_kIsWrittenAsGgmlsSuperBlocksAndWidthsShortOf256StayF32() {
        // width 256: every matrix but ffn_down (384 inputs) fits Q4_K's super-blocks of 256
        Path dir = saveCharModel(new Llama.Config(40, 16, 1, 2, 2, 256, 384, 10000f, 1e-5f, false, false, false, 0f),
                "wide");
        Path out = tmp.resolve("k.gguf");
        GgufExporter.Result r = GgufExporter.export(dir, out, GgufExporter.Type.Q4_K, null);
        GgufFile g = GgufFile.read(out);
        assertThat(g.get("general.file_type")).isEqualTo(GgufValue.uint32(14));
        assertThat(g.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q4_K);
        assertThat(g.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q4_K);
        assertThat(g.tensor("output.weight").type()).isEqualTo(GgmlType.Q4_K);
        assertThat(g.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F32);
        assertThat(r.keptF32()).containsOnlyKeys("blk.0.ffn_down.weight");
        assertThat(r.keptF32().get("blk.0.ffn_down.weight")).contains("384 is not a multiple of 256")
                .contains("q4_k's super-block");
        var params = ((Llama) ModelFolder.load(dir).model()).parameters();
        float[] up = params.get("layers.0.mlp.up_proj.weight").contiguous().toFloatArray();
        assertThat(g.tensorBytes(g.tensor("blk.0.ffn_up.weight")))
                .isEqualTo(Q4_KMatrix.quantize(up, 0, 384, 256).blocks());
        assertThat(g.tensorBytes(g.tensor("blk.0.ffn_up.weight"))).hasSize(384 * 144);
        float[] q = params.get("layers.0.attn.q_proj.weight").contiguous().toFloatArray();
        assertThat(g.tensorBytes(g.tensor("blk.0.attn_q.weight"))).isEqualTo(GgufExporter.permuteRows(
                Q4_KMatrix.quantize(q, 0, 256, 256).blocks(), 256, QuantFormat.Q4_K.rowBytes(256), 2));
        // a folder made by hearth quantize --format q4_k is written from its blocks: the same bytes
        Path folder = tmp.resolve("wide-q4_k");
        Quantizer.quantize(dir, QuantFormat.Q4_K, folder);
        Path stored = tmp.resolve("stored.gguf");
        assertThat(GgufExporter.export(folder, stored, GgufExporter.Type.AS_STORED, null).type())
                .isEqualTo(GgufExporter.Type.Q4_K);
        GgufFile s = GgufFile.read(stored);
        for (GgufFile.TensorInfo t : g.tensors()) {
            assertThat(s.tensorBytes(s.tensor(t.name()))).as(t.name()).isEqualTo(g.tensorBytes(t));
        }
        assertThatThrownBy(() -> GgufExporter.export(folder, tmp.resolve("x.gguf"), GgufExporter.Type.Q4_0, null))
                .isInstanceOf(GgufExportException.class).hasMessageContaining("is quantized (q4_k)");
    }

    @Test
    void f16AndQ4_0KeepNormsInF32AndNameMatricesTheyCannotQuantize() {
        // width 48: not a multiple of 32, so q4_0 keeps every matrix reading 48 inputs in f32
        Path dir = saveCharModel(new Llama.Config(40, 16, 1, 2, 2, 48, 64, 10000f, 1e-5f, false, false, false, 0f),
                "narrow");
        GgufExporter.Result q4 = GgufExporter.export(dir, tmp.resolve("q4.gguf"), GgufExporter.Type.Q4_0, null);
        GgufFile g = GgufFile.read(tmp.resolve("q4.gguf"));
        assertThat(g.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q4_0);   // 64 inputs
        assertThat(g.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.F32);      // 48 inputs
        assertThat(q4.keptF32()).containsKey("blk.0.ffn_up.weight").containsKey("token_embd.weight")
                .doesNotContainKey("blk.0.ffn_down.weight");
        assertThat(q4.keptF32().get("blk.0.attn_q.weight")).contains("48 is not a multiple of 32");
        GgufExporter.export(dir, tmp.resolve("f16.gguf"), GgufExporter.Type.F16, null);
        GgufFile h = GgufFile.read(tmp.resolve("f16.gguf"));
        assertThat(h.get("general.file_type")).isEqualTo(GgufValue.uint32(1));
        assertThat(h.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
        assertThat(h.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.F16);
        float[] up = ((Llama) ModelFolder.load(dir).model()).parameters().get("layers.0.mlp.up_proj.weight").toFloatArray();
        ByteBuffer b = ByteBuffer.wrap(h.tensorBytes(h.tensor("blk.0.ffn_up.weight"))).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : up) {
            assertThat(NarrowFloats.fromF16(b.getShort())).isEqualTo(NarrowFloats.fromF16(NarrowFloats.toF16(v)));
        }
    }

    @Test
    void badInputGetsAClearError() {
        assertThatThrownBy(() -> GgufExporter.Type.parse("q5_k")).isInstanceOf(GgufExportException.class)
                .hasMessageContaining("unknown GGUF type 'q5_k'").hasMessageContaining("f32, f16, q8_0, q4_0, q4_k");
        assertThatThrownBy(() -> GgufExporter.export(tmp, tmp.resolve("a.gguf"), GgufExporter.Type.F32, null))
                .hasMessageContaining("not a model folder");
        Path gpt = tmp.resolve("gpt");
        CharTokenizer tok = CharTokenizer.train(TEXT);
        ModelFolder.save(gpt, new Gpt(new Gpt.Config(tok.vocabSize(), 16, 1, 2, 16, 0f, true), new Rng(1)), tok,
                GenerationConfig.defaults(-1, List.of()), Map.of());
        assertThatThrownBy(() -> GgufExporter.export(gpt, tmp.resolve("g.gguf"), GgufExporter.Type.F32, null))
                .isInstanceOf(GgufExportException.class).hasMessageContaining("is a Gpt model")
                .hasMessageContaining("Llama-family");
        Path dir = saveCharModel(CONFIG, "model");
        assertThatThrownBy(() -> GgufExporter.export(dir, tmp, GgufExporter.Type.F32, null))
                .hasMessageContaining("is a folder");
        CharTokenizer withU2581 = CharTokenizer.train("a\u2581b");
        Path odd = tmp.resolve("odd");
        ModelFolder.save(odd, new Llama(CONFIG, new Rng(1)), withU2581, GenerationConfig.defaults(-1, List.of()),
                Map.of());
        assertThatThrownBy(() -> GgufExporter.export(odd, tmp.resolve("o.gguf"), GgufExporter.Type.F32, null))
                .isInstanceOf(GgufExportException.class).hasMessageContaining("U+2581");
    }
}
