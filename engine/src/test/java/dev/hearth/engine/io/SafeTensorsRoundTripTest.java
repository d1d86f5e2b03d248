package dev.hearth.engine.io;

import static dev.hearth.engine.io.SafeTensorsFixtures.bytes;
import static dev.hearth.engine.io.SafeTensorsFixtures.f64;
import static dev.hearth.engine.io.SafeTensorsFixtures.i16;
import static dev.hearth.engine.io.SafeTensorsFixtures.i32;
import static dev.hearth.engine.io.SafeTensorsFixtures.i64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing then reading gives back the values, for every dtype. */
class SafeTensorsRoundTripTest {
    private static final float[] SPECIALS = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
        65504f, 65520f, 1e-8f, 6e-8f, 3.14159265f, 1e30f, -1e-30f};

    @TempDir
    Path dir;

    private Path path() {
        return dir.resolve("model.safetensors");
    }

    private static Tensor values(int n, long seed) {
        float[] v = new float[n];
        System.arraycopy(SPECIALS, 0, v, 0, SPECIALS.length);
        Tensor r = Tensor.randn(new Rng(seed), 3f, n - SPECIALS.length);
        System.arraycopy(r.toFloatArray(), 0, v, SPECIALS.length, n - SPECIALS.length);
        return Tensor.of(v, n / 4, 4);
    }

    @Test
    void f32IsBitExact() {
        Tensor t = values(400, 1);
        Tensor scalar = Tensor.scalar(-7.25f);
        SafeTensors.write(path(), Map.of("t", t, "s", scalar), Map.of("epoch", "3"));
        LinkedHashMap<String, Tensor> back = SafeTensors.read(path());
        assertThat(back.get("t").shape()).isEqualTo(t.shape());
        float[] a = t.toFloatArray();
        float[] b = back.get("t").toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(Float.floatToRawIntBits(b[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(a[i]));
        }
        assertThat(back.get("s").item()).isEqualTo(-7.25f);
        assertThat(SafeTensors.readMetadata(path())).containsExactly(Map.entry("epoch", "3"));
    }

    @Test
    void f64IsExactForFloatValues() {
        Tensor t = values(100, 2);
        new SafeTensorsWriter().add("t", t, DType.F64).write(path());
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            assertThat(f.info("t").dtype()).isEqualTo(DType.F64);
            assertThat(f.info("t").byteSize()).isEqualTo(800);
            assertThat(f.tensor("t").toFloatArray()).containsExactly(t.toFloatArray());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfFormatsRoundToNearestWithinTheirPrecision(DType dtype) {
        Tensor t = values(4000, 3);
        SafeTensors.write(path(), Map.of("t", t), Map.of(), dtype);
        float[] in = t.toFloatArray();
        float[] out;
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            assertThat(f.info("t").dtype()).isEqualTo(dtype);
            assertThat(f.info("t").byteSize()).isEqualTo(2L * in.length);
            out = f.tensor("t").toFloatArray();
        }
        int mantissaBits = dtype == DType.F16 ? 10 : 7;
        float maxFinite = dtype == DType.F16 ? 65504f : Float.intBitsToFloat(0x7F7F0000);
        float minNormal = dtype == DType.F16 ? 0x1p-14f : Float.MIN_NORMAL;
        // Values from the largest finite one plus half a step up round to infinity (ties go to the even infinity).
        double overflow = maxFinite + Math.scalb(1.0, Math.getExponent(maxFinite) - mantissaBits - 1);
        for (int i = 0; i < in.length; i++) {
            float x = in[i];
            float y = out[i];
            double ax = Math.abs((double) x);
            String what = dtype + " of " + x;
            if (Float.isNaN(x)) {
                assertThat(y).as(what).isNaN();
            } else if (ax >= overflow) {
                assertThat(y).as(what + " overflows").isEqualTo(Math.copySign(Float.POSITIVE_INFINITY, x));
            } else if (ax >= minNormal) {
                assertThat((double) y).as(what).isCloseTo(x, within(ax * Math.scalb(1.0, -mantissaBits - 1)));
            } else {
                // Subnormal range: absolute error at most half the smallest step.
                assertThat((double) y).as(what).isCloseTo(x, within(Math.scalb((double) minNormal, -mantissaBits - 1)));
            }
            if (!Float.isNaN(x)) {
                assertThat(Math.copySign(1f, y)).as("sign of " + what).isEqualTo(Math.copySign(1f, x));
            }
        }
    }

    @Test
    void transposedAndOffsetViewsAreWrittenRowMajor() {
        Tensor base = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor transposed = base.transpose(0, 1); // (3, 2): 0 3 / 1 4 / 2 5
        assertThat(transposed.isContiguous()).isFalse();
        Tensor secondRow = base.narrow(0, 1, 1); // (1, 3) at offset 3
        new SafeTensorsWriter()
                .add("t", transposed)
                .add("t16", transposed, DType.BF16)
                .add("row", secondRow)
                .write(path());
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            assertThat(f.tensor("t").shape().toArray()).containsExactly(3, 2);
            assertThat(f.tensor("t").toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(f.tensor("t16").toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(f.tensor("row").toFloatArray()).containsExactly(3, 4, 5);
        }
    }

    @Test
    void integerArraysRoundTripExactly() {
        int[] ints = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 123456789};
        long[] longs = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};
        byte[] u8 = bytes(0, 1, 127, 128, 255);
        byte[] i8 = bytes(-128, -1, 0, 1, 127);
        new SafeTensorsWriter()
                .addInts("ints", ints, 2, 3)
                .addLongs("longs", longs)
                .addBytes("u8", DType.U8, u8, 5)
                .addBytes("i8", DType.I8, i8, 5)
                .addBytes("mask", DType.BOOL, bytes(1, 0, 1), 3)
                .addInts("one", new int[] {42}, new int[0])
                .write(path());
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            assertThat(f.info("ints").dtype()).isEqualTo(DType.I32);
            assertThat(f.info("ints").shape()).containsExactly(2L, 3L);
            assertThat(f.ints("ints")).containsExactly(ints);
            assertThat(f.longs("ints")).containsExactly(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 123456789);
            assertThat(f.info("longs").dtype()).isEqualTo(DType.I64);
            assertThat(f.longs("longs")).containsExactly(longs);
            assertThat(f.bytes("u8")).containsExactly(u8);
            assertThat(f.ints("u8")).containsExactly(0, 1, 127, 128, 255);
            assertThat(f.ints("i8")).containsExactly(-128, -1, 0, 1, 127);
            assertThat(f.tensor("u8").toFloatArray()).containsExactly(0, 1, 127, 128, 255);
            assertThat(f.tensor("i8").toFloatArray()).containsExactly(-128, -1, 0, 1, 127);
            assertThat(f.tensor("mask").toFloatArray()).containsExactly(1, 0, 1);
            assertThat(f.info("one").rank()).isZero();
            assertThat(f.ints("one")).containsExactly(42);
            assertThat(f.tensor("ints").toFloatArray()[3]).isEqualTo((float) Integer.MAX_VALUE);
        }
    }

    @Test
    void everyOtherDTypeReadsAsFloatAndAsIntegers() {
        new SafeTensorsWriter()
                .addBytes("i16", DType.I16, i16(-32768, -1, 0, 32767), 4)
                .addBytes("u16", DType.U16, i16(0, 1, 65535, 40000), 4)
                .addBytes("u32", DType.U32, i32(0, -1, 7), 3)
                .addBytes("u64", DType.U64, i64(5, 1L << 62, -1), 3)
                .addBytes("f64", DType.F64, f64(1e300, -2.5, Double.NaN), 3)
                // F8_E4M3: 1.0, -448 (largest), 2^-9 (smallest subnormal), NaN
                .addBytes("e4m3", DType.F8_E4M3, bytes(0x38, 0xFE, 0x01, 0x7F), 4)
                // F8_E5M2: 1.0, -inf, 2^-16 (smallest subnormal), 57344 (largest)
                .addBytes("e5m2", DType.F8_E5M2, bytes(0x3C, 0xFC, 0x01, 0x7B), 4)
                .write(path());
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            assertThat(f.tensor("i16").toFloatArray()).containsExactly(-32768, -1, 0, 32767);
            assertThat(f.ints("i16")).containsExactly(-32768, -1, 0, 32767);
            assertThat(f.tensor("u16").toFloatArray()).containsExactly(0, 1, 65535, 40000);
            assertThat(f.ints("u16")).containsExactly(0, 1, 65535, 40000);
            assertThat(f.tensor("u32").toFloatArray()).containsExactly(0, 4294967295f, 7);
            assertThat(f.longs("u32")).containsExactly(0, 4294967295L, 7);
            assertThat(f.tensor("u64").toFloatArray()).containsExactly(5, 0x1p62f, 0x1p64f);
            assertThatThrownBy(() -> f.longs("u64")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("element 2 is 18446744073709551615, above the largest long");
            float[] f64 = f.tensor("f64").toFloatArray();
            assertThat(f64[0]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(f64[1]).isEqualTo(-2.5f);
            assertThat(f64[2]).isNaN();
            float[] e4m3 = f.tensor("e4m3").toFloatArray();
            assertThat(e4m3[0]).isEqualTo(1f);
            assertThat(e4m3[1]).isEqualTo(-448f);
            assertThat(e4m3[2]).isEqualTo(0x1p-9f);
            assertThat(e4m3[3]).isNaN();
            assertThat(f.tensor("e5m2").toFloatArray()).containsExactly(1f, Float.NEGATIVE_INFINITY, 0x1p-16f, 57344f);
            assertThat(f.bytes("e4m3")).containsExactly(bytes(0x38, 0xFE, 0x01, 0x7F));
        }
    }

    @Test
    void segmentGivesTheRawLittleEndianBytes() {
        new SafeTensorsWriter().add("w", Tensor.of(new float[] {1f, 2f}, 2), DType.BF16).write(path());
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            MemorySegment s = f.segment("w");
            assertThat(s.byteSize()).isEqualTo(4);
            assertThat(s.isReadOnly()).isTrue();
            assertThat(s.toArray(ValueLayout.JAVA_BYTE)).containsExactly(bytes(0x80, 0x3F, 0x00, 0x40));
        }
    }

    @Test
    void aCheckpointCanBeRewrittenWithTheBytesOfAnother() {
        Tensor t = values(64, 4);
        new SafeTensorsWriter().add("w", t, DType.F16).write(path());
        Path copy = dir.resolve("copy.safetensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(path())) {
            SafeTensorsFile.TensorInfo info = f.info("w");
            byte[] raw = f.segment("w").toArray(ValueLayout.JAVA_BYTE);
            new SafeTensorsWriter().addBytes("w", info.dtype(), raw, 16, 4).write(copy);
            try (SafeTensorsFile g = SafeTensorsFile.open(copy)) {
                assertThat(g.tensor("w").toFloatArray()).containsExactly(f.tensor("w").toFloatArray());
            }
        }
    }
}
