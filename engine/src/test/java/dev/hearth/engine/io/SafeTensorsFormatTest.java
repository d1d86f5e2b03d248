package dev.hearth.engine.io;

import static dev.hearth.engine.io.SafeTensorsFixtures.bytes;
import static dev.hearth.engine.io.SafeTensorsFixtures.concat;
import static dev.hearth.engine.io.SafeTensorsFixtures.f32;
import static dev.hearth.engine.io.SafeTensorsFixtures.i32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact bytes of the format, checked against files built by hand. */
class SafeTensorsFormatTest {
    @TempDir
    Path dir;

    @Test
    void writerProducesTheExpectedBytes() throws Exception {
        Path file = dir.resolve("exact.safetensors");
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .add("w", Tensor.of(new float[] {1f, -2f}, 2))
                .addInts("ids", new int[] {1, 256, -1})
                .write(file);

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"ids\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[8,20]}}";
        assertThat(json).hasSize(141);
        byte[] expected = concat(
                HexFormat.of().parseHex("9000000000000000"), // 144 = 141 + 3 spaces of padding, little-endian
                (json + "   ").getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().parseHex("0000803f" + "000000c0"), // 1.0f, -2.0f
                HexFormat.of().parseHex("01000000" + "00010000" + "ffffffff")); // 1, 256, -1
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void headerIsPaddedWithSpacesToAMultipleOfEight() throws Exception {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            new SafeTensorsWriter().add("x".repeat(nameLength), Tensor.scalar(3f)).write(file);
            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(n % 8).isZero();
            String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
            assertThat(header.stripTrailing()).endsWith("}");
            assertThat(header.substring(header.stripTrailing().length())).matches(" {0,7}");
            assertThat(all).hasSize((int) (8 + n + 4));
        }
    }

    @Test
    void emptyCheckpointIsAnEmptyObjectPaddedToEightBytes() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        new SafeTensorsWriter().write(file);
        assertThat(Files.readAllBytes(file))
                .isEqualTo(concat(HexFormat.of().parseHex("0800000000000000"),
                        "{}      ".getBytes(StandardCharsets.US_ASCII)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.names()).isEmpty();
            assertThat(f.metadata()).isEmpty();
        }
    }

    @Test
    void readsAFileWhoseHeaderOrderDiffersFromItsDataOrderAndIsUnaligned() {
        // Header lists "b" first though its bytes come second, and its length leaves the data unaligned.
        String json = "{\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"__metadata__\": {}}";
        assertThat(json.length() % 4).isNotZero();
        Path file = SafeTensorsFixtures.writeFixture(dir, json, concat(f32(0.5f, -1f, 2f), i32(7, -8)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("b", "a");
            assertThat(f.ints("b")).containsExactly(7, -8);
            assertThat(f.tensor("a").toFloatArray()).containsExactly(0.5f, -1f, 2f);
            long dataStart = 8 + json.length();
            assertThat(f.info("a").start()).isEqualTo(dataStart);
            assertThat(f.info("a").end()).isEqualTo(dataStart + 12);
            assertThat(f.info("b").start()).isEqualTo(dataStart + 12);
            assertThat(f.info("b").shape()).containsExactly(2L);
            assertThat(f.segment("b").byteSize()).isEqualTo(8);
        }
    }

    @Test
    void acceptsWhitespaceAroundTheJsonAndEmptyAndScalarTensors() {
        String json = "{ \"s\" : {\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\n"
                + "  \"e\": {\"dtype\":\"F16\",\"shape\":[0,5],\"data_offsets\":[4,4]}, \"extra\": {\"dtype\":\"U8\","
                + "\"shape\":[1],\"data_offsets\":[4,5],\"ignored_field\":true} }      ";
        Path file = SafeTensorsFixtures.writeFixture(dir, json, concat(f32(42f), bytes(9)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.tensor("s").shape().rank()).isZero();
            assertThat(f.tensor("s").item()).isEqualTo(42f);
            assertThat(f.tensor("e").shape().toArray()).containsExactly(0, 5);
            assertThat(f.bytes("extra")).containsExactly(9);
        }
    }

    @Test
    void writesTensorsInInsertionOrderNotSorted() {
        Path file = dir.resolve("order.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z", Tensor.scalar(1f));
        tensors.put("a", Tensor.scalar(2f));
        tensors.put("m", Tensor.scalar(3f));
        SafeTensors.write(file, tensors, Map.of());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("z", "a", "m");
            assertThat(f.info("z").start()).isLessThan(f.info("a").start());
            assertThat(f.info("a").start()).isLessThan(f.info("m").start());
        }
    }

    @Test
    void metadataKeepsOrderAndNonAsciiText() {
        Path file = dir.resolve("meta.safetensors");
        new SafeTensorsWriter().metadata("b", "zwei").metadata("a", "ünïcødé \"quoted\" \n line").write(file);
        assertThat(SafeTensors.readMetadata(file)).containsExactly(Map.entry("b", "zwei"),
                Map.entry("a", "ünïcødé \"quoted\" \n line"));
    }
}
