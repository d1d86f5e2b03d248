package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF v3 files written by {@link GgufWriter}, checked byte by byte and read back by {@link GgufFile}. */
class GgufWriterTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void headerBytesAreGgufVersion3LittleEndian() throws Exception {
        Path f = tmp.resolve("a.gguf");
        new GgufWriter().put("general.architecture", GgufValue.string("llama"))
                .addTensor("t", GgmlType.F32, new long[] {3}, random(12, 1)).write(f);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.getLong()).isEqualTo(1);                     // tensors
        assertThat(b.getLong()).isEqualTo(1);                     // keys
        assertThat(b.getLong()).isEqualTo("general.architecture".length());
        b.position(b.position() + "general.architecture".length());
        assertThat(b.getInt()).isEqualTo(8);                      // STRING
        assertThat(b.getLong()).isEqualTo(5);
        b.position(b.position() + 5);
        assertThat(b.getLong()).isEqualTo(1);                     // tensor name "t"
        assertThat(b.get()).isEqualTo((byte) 't');
        assertThat(b.getInt()).isEqualTo(1);                      // n_dims
        assertThat(b.getLong()).isEqualTo(3);                     // ne[0]
        assertThat(b.getInt()).isEqualTo(0);                      // F32
        assertThat(b.getLong()).isEqualTo(0);                     // offset
        int dataStart = (b.position() + 31) / 32 * 32;
        assertThat(Files.size(f)).isEqualTo(dataStart + 32);      // 12 bytes of data padded to 32
    }

    @Test
    void everyKeyTypeTensorAndOffsetRoundTrips() {
        Path f = tmp.resolve("b.gguf");
        byte[] q8 = random(2 * 34 * 3, 2);      // (3 rows, 64 cols) of Q8_0
        byte[] q4 = random(18 * 5, 3);          // (5 rows, 32 cols) of Q4_0
        byte[] f16 = random(2 * 7 * 2, 4);      // (2, 7) of F16
        byte[] f32 = random(4 * 5, 5);
        GgufWriter w = new GgufWriter()
                .put("general.alignment", GgufValue.uint32(64))
                .put("s", GgufValue.string("héllo ▁ 世界"))
                .put("u32", GgufValue.uint32(4_000_000_000L))
                .put("f", GgufValue.float32(1e-5f))
                .put("b", GgufValue.bool(true))
                .put("i8", new GgufValue(GgufValueType.INT8, null, -5L))
                .put("u64", new GgufValue(GgufValueType.UINT64, null, 1L << 40))
                .put("d", new GgufValue(GgufValueType.FLOAT64, null, Math.PI))
                .put("strs", GgufValue.array(GgufValueType.STRING, List.of("a", "", "Ġthe")))
                .put("ints", GgufValue.array(GgufValueType.INT32, List.of(1L, -2L, 3L)))
                .put("floats", GgufValue.array(GgufValueType.FLOAT32, List.of(0.5f, -1f)))
                .addTensor("w.q8", GgmlType.Q8_0, new long[] {64, 3}, q8)
                .addTensor("w.q4", GgmlType.Q4_0, new long[] {32, 5}, q4)
                .addTensor("w.f16", GgmlType.F16, new long[] {7, 2}, f16)
                .addTensor("norm", GgmlType.F32, new long[] {5}, f32);
        long size = w.write(f);
        GgufFile g = GgufFile.read(f);
        assertThat(g.version()).isEqualTo(3);
        assertThat(g.alignment()).isEqualTo(64);
        assertThat(g.fileSize()).isEqualTo(size);
        assertThat(g.metadata().keySet()).containsExactly("general.alignment", "s", "u32", "f", "b", "i8", "u64", "d",
                "strs", "ints", "floats");
        assertThat(g.get("s")).isEqualTo(GgufValue.string("héllo ▁ 世界"));
        assertThat(g.get("u32").asLong("u32")).isEqualTo(4_000_000_000L);
        assertThat(g.get("f")).isEqualTo(GgufValue.float32(1e-5f));
        assertThat(g.get("b")).isEqualTo(GgufValue.bool(true));
        assertThat(g.get("i8").value()).isEqualTo(-5L);
        assertThat(g.get("u64").value()).isEqualTo(1L << 40);
        assertThat(g.get("d").value()).isEqualTo(Math.PI);
        assertThat(g.get("strs")).isEqualTo(GgufValue.array(GgufValueType.STRING, List.of("a", "", "Ġthe")));
        assertThat(g.get("ints").value()).isEqualTo(List.of(1L, -2L, 3L));
        assertThat(g.get("floats").elementType()).isEqualTo(GgufValueType.FLOAT32);
        assertThat(g.tensors()).extracting(GgufFile.TensorInfo::name).containsExactly("w.q8", "w.q4", "w.f16", "norm");
        assertThat(g.dataStart() % 64).isZero();
        long expectedOffset = 0;
        byte[][] data = {q8, q4, f16, f32};
        GgmlType[] types = {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16, GgmlType.F32};
        for (int i = 0; i < 4; i++) {
            GgufFile.TensorInfo t = g.tensors().get(i);
            assertThat(t.type()).isEqualTo(types[i]);
            assertThat(t.offset()).isEqualTo(expectedOffset);
            assertThat(t.byteSize()).isEqualTo(data[i].length);
            assertThat(g.tensorBytes(t)).isEqualTo(data[i]);
            expectedOffset = (expectedOffset + data[i].length + 63) / 64 * 64;
        }
        assertThat(g.tensor("w.q4").ne()).containsExactly(32, 5);
        assertThat(size).isEqualTo(g.dataStart() + expectedOffset);
    }

    @Test
    void badTensorsAndKeysAreRefused() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.Q8_0, new long[] {33, 1}, new byte[34]))
                .isInstanceOf(GgufException.class).hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {4, 2}, new byte[31]))
                .hasMessageContaining("takes 32 bytes, not 31");
        w.addTensor("x", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessageContaining("added twice");
        assertThatThrownBy(() -> w.put("general.alignment", GgufValue.uint32(48)))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> GgufValue.uint32(-1)).hasMessageContaining("out of range");
    }

    @Test
    void damagedFilesFailWithTheirProblemNamed() throws Exception {
        Path f = tmp.resolve("c.gguf");
        new GgufWriter().put("k", GgufValue.string("v")).addTensor("t", GgmlType.F32, new long[] {64}, random(256, 6))
                .write(f);
        byte[] all = Files.readAllBytes(f);
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> GgufFile.read(cut)).isInstanceOf(GgufException.class)
                .hasMessageContaining("tensor 't'").hasMessageContaining("past the end of the file");
        Path notGguf = tmp.resolve("x.gguf");
        Files.writeString(notGguf, "this is not a gguf file at all, just text");
        assertThatThrownBy(() -> GgufFile.read(notGguf)).hasMessageContaining("not a GGUF file");
        Path header = tmp.resolve("h.gguf");
        Files.write(header, java.util.Arrays.copyOf(all, 40));
        assertThatThrownBy(() -> GgufFile.read(header)).isInstanceOf(GgufException.class);
    }
}
