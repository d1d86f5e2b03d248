package dev.hearth.lab.compress;

import dev.hearth.engine.io.GgmlType;
import dev.hearth.engine.io.GgufValue;
import dev.hearth.engine.io.GgufWriter;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.NarrowFloats;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.quant.Q4_0Matrix;
import dev.hearth.engine.quant.Q4_KMatrix;
import dev.hearth.engine.quant.Q8_0Matrix;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Llama model folder as a GGUF file that llama.cpp runs: architecture {@code llama},
 * its hyper-parameters under {@code llama.*}, the tokenizer (see {@link GgufVocabulary}) and the
 * weights under llama.cpp's tensor names:
 *
 * <pre>
 * Hearth                          GGUF                     ne (innermost first)
 * embed_tokens.weight             token_embd.weight        [dim, vocab]
 * layers.i.norm1.weight           blk.i.attn_norm.weight   [dim]
 * layers.i.attn.q_proj.weight     blk.i.attn_q.weight      [dim, dim]        rows permuted, see below
 * layers.i.attn.k_proj.weight     blk.i.attn_k.weight      [dim, kvDim]      rows permuted
 * layers.i.attn.v_proj.weight     blk.i.attn_v.weight      [dim, kvDim]
 * layers.i.attn.o_proj.weight     blk.i.attn_output.weight [dim, dim]
 * layers.i.norm2.weight           blk.i.ffn_norm.weight    [dim]
 * layers.i.mlp.gate_proj.weight   blk.i.ffn_gate.weight    [dim, hidden]
 * layers.i.mlp.up_proj.weight     blk.i.ffn_up.weight      [dim, hidden]
 * layers.i.mlp.down_proj.weight   blk.i.ffn_down.weight    [hidden, dim]
 * norm.weight                     output_norm.weight       [dim]
 * lm_head.weight                  output.weight            [dim, vocab]      absent when tied: llama.cpp
 *                                                                            then uses token_embd
 * </pre>
 *
 * <p>RoPE: Hearth rotates the pair (i, i + headDim/2) of each head (Hugging Face's rotate-half),
 * llama.cpp's {@code llama} architecture the pair (2i, 2i + 1). Writing row {@code h·hd + 2i + j}
 * of the query and key weights from row {@code h·hd + j·hd/2 + i} makes the two the same
 * computation (what llama.cpp's Hugging Face converter does); whole rows move, so quantized blocks
 * move untouched.
 *
 * <p>Types: {@code f32}, {@code f16} (matrices in fp16, norms stay f32), {@code q8_0}, {@code q4_0},
 * {@code q4_k} (matrices quantized with Hearth's quantizers, which round as llama.cpp's reference
 * ones; a matrix whose width is not a multiple of the type's block, 32 or 256, stays f32 and is named). A quantized folder is written from
 * its packed blocks as they are, never re-quantized; asking it for another type is an error.
 */
public final class GgufExporter {
    private GgufExporter() {}

    /** Output types: {@code AS_STORED} is the folder's own (f32, or its quantization). */
    public enum Type {
        AS_STORED, F32, F16, Q8_0, Q4_0, Q4_K;

        public static Type parse(String s) {
            if (s == null) {
                return AS_STORED;
            }
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "f32" -> F32;
                case "f16" -> F16;
                case "q8_0" -> Q8_0;
                case "q4_0" -> Q4_0;
                case "q4_k" -> Q4_K;
                default -> throw new GgufExportException("unknown GGUF type '" + s + "'; use one of f32, f16, q8_0,"
                        + " q4_0, q4_k (or leave --type out to write the model as it is stored)");
            };
        }

        /**
         * GGUF's general.file_type (llama_ftype): ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2, MOSTLY_Q8_0 7,
         * MOSTLY_Q4_K_S 14 (every matrix Q4_K, as llama-quantize --pure writes; Q4_K_M would mix in Q6_K).
         */
        int fileType() {
            return switch (this) {
                case AS_STORED, F32 -> 0;
                case F16 -> 1;
                case Q4_0 -> 2;
                case Q8_0 -> 7;
                case Q4_K -> 14;
            };
        }

        /** The storage format of this type's matrices, or null for f32 and f16. */
        QuantFormat format() {
            return switch (this) {
                case Q8_0 -> QuantFormat.Q8_0;
                case Q4_0 -> QuantFormat.Q4_0;
                case Q4_K -> QuantFormat.Q4_K;
                case AS_STORED, F32, F16 -> null;
            };
        }

        static Type of(QuantFormat f) {
            return switch (f) {
                case Q8_0 -> Q8_0;
                case Q4_0 -> Q4_0;
                case Q4_K -> Q4_K;
                case INT8 -> throw new GgufExportException("GGUF has no per-channel int8 type");
            };
        }
    }

    /**
     * What was written.
     *
     * @param type        the type written (never AS_STORED)
     * @param tensors     the GGUF tensor names in file order, with their ggml types
     * @param keptF32     matrices left in f32 although a quantized type was asked, and why
     * @param tokenizer   the llama.cpp tokenizer model ("llama" or "gpt2") and pre-tokenizer
     * @param warnings    what llama.cpp will do differently from Hearth, if anything
     */
    public record Result(Path model, Path out, Type type, long bytes, Map<String, GgmlType> tensors,
                         Map<String, String> keptF32, String tokenizer, List<String> warnings) {}

    public static Result export(Path modelDir, Path out, Type requested, String name) {
        if (Files.isDirectory(out)) {
            throw new GgufExportException(out + " is a folder; give the path of the .gguf file to write");
        }
        var loaded = ModelFolder.load(modelDir);
        if (!(loaded.model() instanceof Llama llama)) {
            throw new GgufExportException(modelDir + " is a " + loaded.model().getClass().getSimpleName()
                    + " model; GGUF export handles Llama-family models so far (GPT-2's files fuse and transpose"
                    + " its attention weights)");
        }
        Llama.Config c = llama.config();
        if (c.qkvBias() || c.outputBias()) {
            throw new GgufExportException(modelDir + " has biases on its attention projections (Qwen2 style);"
                    + " llama.cpp's llama architecture has none, so GGUF export handles bias-free Llama models only");
        }
        Map<String, QuantizedMatrix> packed = llama.quantizedParameters();
        QuantFormat stored = packed.isEmpty() ? null : packed.values().iterator().next().format();
        if (stored == QuantFormat.INT8) {
            throw new GgufExportException(modelDir + " is quantized to per-channel int8, which GGUF has no type for;"
                    + " export the float32 model it came from with --type q8_0 instead");
        }
        Type storedType = stored == null ? Type.F32 : Type.of(stored);
        Type type = requested == Type.AS_STORED ? storedType : requested;
        if (stored != null && type != storedType) {
            throw new GgufExportException(modelDir + " is quantized (" + stored.id() + "); it is exported from its"
                    + " blocks as they are: leave --type out (or give " + stored.id() + "), or export the float32"
                    + " model it came from as " + type.name().toLowerCase(Locale.ROOT));
        }
        int headDim = c.headDim();
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string(name != null ? name
                : modelDir.toAbsolutePath().normalize().getFileName().toString()));
        w.put("general.file_type", GgufValue.uint32(type.fileType()));
        w.put("general.quantization_version", GgufValue.uint32(2));
        w.put("general.alignment", GgufValue.uint32(GgufWriter.DEFAULT_ALIGNMENT));
        w.put("llama.vocab_size", GgufValue.uint32(c.vocabSize()));
        w.put("llama.context_length", GgufValue.uint32(c.contextLength()));
        w.put("llama.embedding_length", GgufValue.uint32(c.dim()));
        w.put("llama.block_count", GgufValue.uint32(c.layers()));
        w.put("llama.feed_forward_length", GgufValue.uint32(c.hidden()));
        w.put("llama.attention.head_count", GgufValue.uint32(c.heads()));
        w.put("llama.attention.head_count_kv", GgufValue.uint32(c.kvHeads()));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(c.normEps()));
        w.put("llama.rope.freq_base", GgufValue.float32(c.ropeTheta()));
        w.put("llama.rope.dimension_count", GgufValue.uint32(headDim));
        if (headDim * c.heads() != c.dim()) {           // heads pruned away: llama.cpp reads the head size here
            w.put("llama.attention.key_length", GgufValue.uint32(headDim));
            w.put("llama.attention.value_length", GgufValue.uint32(headDim));
        }
        var vocab = GgufVocabulary.write(w, loaded.tokenizer(), loaded.generation(), c.vocabSize());

        Map<String, GgmlType> written = new LinkedHashMap<>();
        Map<String, String> keptF32 = new LinkedHashMap<>();
        Map<String, Tensor> params = llama.parameters();
        var ctx = new Ctx(w, type, written, keptF32);
        ctx.matrix("token_embd.weight", llama.find("embed_tokens"), 0);
        for (int i = 0; i < c.layers(); i++) {
            String p = "layers." + i + ".";
            String b = "blk." + i + ".";
            ctx.vector(b + "attn_norm.weight", params.get(p + "norm1.weight"));
            ctx.matrix(b + "attn_q.weight", llama.find(p + "attn.q_proj"), c.heads());
            ctx.matrix(b + "attn_k.weight", llama.find(p + "attn.k_proj"), c.kvHeads());
            ctx.matrix(b + "attn_v.weight", llama.find(p + "attn.v_proj"), 0);
            ctx.matrix(b + "attn_output.weight", llama.find(p + "attn.o_proj"), 0);
            ctx.vector(b + "ffn_norm.weight", params.get(p + "norm2.weight"));
            ctx.matrix(b + "ffn_gate.weight", llama.find(p + "mlp.gate_proj"), 0);
            ctx.matrix(b + "ffn_up.weight", llama.find(p + "mlp.up_proj"), 0);
            ctx.matrix(b + "ffn_down.weight", llama.find(p + "mlp.down_proj"), 0);
        }
        ctx.vector("output_norm.weight", params.get("norm.weight"));
        if (!c.tiedEmbeddings()) {
            ctx.matrix("output.weight", llama.find("lm_head"), 0);
        }
        long bytes = w.write(out);
        String tok = vocab.model() + (vocab.pre() == null ? "" : " (pre-tokenizer " + vocab.pre() + ")");
        return new Result(modelDir, out, type, bytes, written, keptF32, tok, vocab.warnings());
    }

    /** Writing state: the writer, the target type, and what was written. */
    private record Ctx(GgufWriter w, Type type, Map<String, GgmlType> written, Map<String, String> keptF32) {
        void vector(String name, Tensor t) {
            if (t == null) {
                throw new GgufExportException("the model has no tensor for " + name + "; the folder is damaged");
            }
            float[] v = t.contiguous().toFloatArray();
            w.addTensor(name, GgmlType.F32, new long[] {v.length}, f32(v));
            written.put(name, GgmlType.F32);
        }

        /** A (rows, cols) weight; {@code ropeHeads > 0} permutes its rows for llama.cpp's RoPE pairing. */
        void matrix(String name, Module m, int ropeHeads) {
            QuantizedMatrix q;
            Tensor f;
            switch (m) {
                case Linear l -> {
                    q = l.quantizedWeight();
                    f = q == null ? l.weight() : null;
                }
                case Embedding e -> {
                    q = e.quantizedWeight();
                    f = q == null ? e.weight() : null;
                }
                case null, default -> throw new GgufExportException("the model has no layer for " + name);
            }
            if (q != null) {
                add(name, ggmlType(q.format()), q.rows(), q.cols(),
                        permuteRows(blocks(q, name), q.rows(), q.format().rowBytes(q.cols()), ropeHeads));
                return;
            }
            int rows = f.shape().dim(0);
            int cols = f.shape().dim(1);
            float[] v = f.contiguous().toFloatArray();
            QuantFormat qf = type.format();
            if (qf != null && cols % qf.blockSize() != 0) {
                keptF32.put(name, Quantizer.whyKept(cols, qf));
                qf = null;
            }
            if (qf != null) {
                QuantizedMatrix qm = QuantizedMatrix.quantize(qf, v, 0, rows, cols);
                add(name, ggmlType(qf), rows, cols, permuteRows(blocks(qm, name), rows, qf.rowBytes(cols), ropeHeads));
            } else if (type == Type.F16) {
                add(name, GgmlType.F16, rows, cols, permuteRows(f16(v), rows, cols * 2, ropeHeads));
            } else {
                add(name, GgmlType.F32, rows, cols, permuteRows(f32(v), rows, cols * 4, ropeHeads));
            }
        }

        private static byte[] blocks(QuantizedMatrix q, String name) {
            return switch (q) {
                case Q8_0Matrix m -> m.blocks();
                case Q4_0Matrix m -> m.blocks();
                case Q4_KMatrix m -> m.blocks();
                default -> throw new GgufExportException(name + ": " + q.format().id() + " has no GGUF type");
            };
        }

        private static GgmlType ggmlType(QuantFormat f) {
            return switch (f) {
                case Q8_0 -> GgmlType.Q8_0;
                case Q4_0 -> GgmlType.Q4_0;
                case Q4_K -> GgmlType.Q4_K;
                case INT8 -> throw new GgufExportException("GGUF has no per-channel int8 type");
            };
        }

        private void add(String name, GgmlType t, int rows, int cols, byte[] data) {
            w.addTensor(name, t, new long[] {cols, rows}, data);
            written.put(name, t);
        }
    }

    /**
     * Rows of a query or key weight reordered from rotate-half pairs to adjacent pairs: within each
     * of the {@code heads} heads of {@code hd} rows, output row {@code 2i + j} is input row
     * {@code j·hd/2 + i}. Identity when {@code heads} is 0.
     */
    static byte[] permuteRows(byte[] data, int rows, int rowBytes, int heads) {
        if (heads == 0) {
            return data;
        }
        if (rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new GgufExportException(rows + " rows do not split into " + heads + " heads of even size");
        }
        int hd = rows / heads;
        int half = hd / 2;
        byte[] out = new byte[data.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int src = h * hd + j * half + i;
                    int dst = h * hd + 2 * i + j;
                    System.arraycopy(data, src * rowBytes, out, dst * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }

    static byte[] f32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static byte[] f16(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(NarrowFloats.toF16(x));
        }
        return b.array();
    }
}
