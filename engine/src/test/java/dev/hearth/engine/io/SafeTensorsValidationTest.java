package dev.hearth.engine.io;

import static dev.hearth.engine.io.SafeTensorsFixtures.bytes;
import static dev.hearth.engine.io.SafeTensorsFixtures.concat;
import static dev.hearth.engine.io.SafeTensorsFixtures.f32;
import static dev.hearth.engine.io.SafeTensorsFixtures.le64;
import static dev.hearth.engine.io.SafeTensorsFixtures.writeBytes;
import static dev.hearth.engine.io.SafeTensorsFixtures.writeFixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every malformed file is refused with a message naming the file, the tensor and the bytes. */
class SafeTensorsValidationTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    /** Opening {@code file} fails with a CheckpointException whose message starts with the file. */
    private static AbstractThrowableAssert<?, ? extends Throwable> refuses(Path file) {
        return assertThatThrownBy(() -> {
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                f.names();
            }
        }).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": ")
                .satisfies(e -> assertThat(((CheckpointException) e).file()).isEqualTo(file));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refusesHeader(String json, byte[] data) {
        return refuses(writeFixture(dir, json, data));
    }

    @Test
    void fileShorterThanTheLengthField() {
        refuses(writeBytes(dir, "short.safetensors", bytes(1, 2, 3, 4, 5)))
                .hasMessageContaining("is 5 bytes long, shorter than the 8-byte header length");
        refuses(writeBytes(dir, "empty.safetensors", new byte[0])).hasMessageContaining("is 0 bytes long");
    }

    @Test
    void absurdHeaderLength() {
        refuses(writeBytes(dir, "huge.safetensors", concat(le64(200_000_000L), "{}".getBytes())))
                .hasMessageContaining("header length of 200000000 bytes, over the format's limit of 100 MB");
        refuses(writeBytes(dir, "neg.safetensors", concat(le64(-1L), "{}".getBytes())))
                .hasMessageContaining("header length of 18446744073709551615 bytes");
    }

    @Test
    void headerLongerThanTheFile() {
        refuses(writeBytes(dir, "cut.safetensors", concat(le64(1000), "{\"a\":".getBytes())))
                .hasMessageContaining("header length of 1000 bytes but only 5 bytes follow them: the file is"
                        + " truncated");
    }

    @Test
    void headerNotUtf8() {
        byte[] latin1 = bytes('{', '"', 0xE9, '"', ':', '1', '}');
        refuses(writeBytes(dir, "latin1.safetensors", SafeTensorsFixtures.file(latin1, new byte[0])))
                .hasMessageContaining("the header is not valid UTF-8 (bad byte at file offset 10)");
    }

    @Test
    void headerNotAJsonObject() {
        refusesHeader("[1, 2, 3]", new byte[0]).hasMessageContaining("should be a JSON object starting with '{' but"
                + " starts with \"[1, 2, 3]\"");
        refusesHeader("", new byte[0]).hasMessageContaining("starting with '{'");
        refusesHeader("{\"a\": nope}", new byte[0]).hasMessageContaining("the header is not valid JSON (at character");
        refusesHeader("{\"a\": {", new byte[0]).hasMessageContaining("the header is not valid JSON");
        refusesHeader("{} {}", new byte[0]).hasMessageContaining("the header has more after its closing '}'");
        // Padding must be spaces (as the spec says), not NUL bytes.
        refusesHeader("{}\0\0\0\0\0\0", new byte[0]).hasMessageContaining("not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"shape\":[1],\"data_offsets\":[0,4]}|tensor 'w' has no \"dtype\" in its header entry",
        "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}|tensor 'w' has no \"shape\" in its header entry",
        "{\"dtype\":\"F32\",\"shape\":[1]}|tensor 'w' has no \"data_offsets\" in its header entry",
        "{\"dtype\":\"F4\",\"shape\":[1],\"data_offsets\":[0,4]}|tensor 'w' has dtype 'F4', which Hearth cannot read"
                + " (it reads BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)",
        "{\"dtype\":\"float32\",\"shape\":[1],\"data_offsets\":[0,4]}|has dtype 'float32', which Hearth cannot read",
        "{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}|tensor 'w': dtype is a number (32), not a string",
        "{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}|tensor 'w' has a negative dimension in shape [-1]",
        "{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}|shape [1.5] holds 1.5, which is not a whole number",
        "{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}|tensor 'w': shape is 1, not a list of whole numbers",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}|data_offsets is [0], not a list of 2 whole numbers",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}|data_offsets [4, 0) that end before they begin",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}|which is not a whole"
                + " number below 2^63",
        "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}|would take more than 2^63 bytes",
        "[0, 4]|tensor 'w': its header entry is an array ([0,4]), not an object with dtype, shape and data_offsets",
        "{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}|the header entry of 'w' has a"
                + " field twice (Duplicate field 'dtype')",
    })
    void badTensorEntry(String entryJson, String expected) {
        refusesHeader("{\"w\":" + entryJson + "}", f32(1f)).hasMessageContaining(expected);
    }

    @Test
    void byteCountDisagreesWithShape() {
        String json = "{" + entry("h.0.attn.q_proj.weight", "F32", "[64,64]", 0, 1000) + "}";
        refusesHeader(json, new byte[1000]).hasMessageContaining("tensor 'h.0.attn.q_proj.weight' (F32, shape (64, 64))"
                + " should take 16384 bytes but data_offsets [0, 1000) give 1000");
    }

    @Test
    void truncatedFile() {
        String json = "{" + entry("a", "F32", "[256]", 0, 1024) + "," + entry("x", "F32", "[1024]", 1024, 5120) + "}";
        refusesHeader(json, new byte[2048]).hasMessageContaining("tensor 'x' needs bytes 1024..5120 of the data buffer"
                + " but the file ends at data byte 2048: the file is truncated");
    }

    @Test
    void overlappingTensors() {
        String json = "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}";
        refusesHeader(json, new byte[24])
                .hasMessageContaining("tensors 'a' (data bytes 0..16) and 'b' (data bytes 8..24) overlap");
        String same = "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "I32", "[4]", 0, 16) + "}";
        refusesHeader(same, new byte[16]).hasMessageContaining("overlap");
    }

    @Test
    void gapsInTheDataBuffer() {
        String between = "{" + entry("b", "F32", "[4]", 24, 40) + "," + entry("a", "F32", "[4]", 0, 16) + "}";
        refusesHeader(between, new byte[40])
                .hasMessageContaining("data bytes 16..24 between tensors 'a' and 'b' belong to no tensor");
        String before = "{" + entry("a", "F32", "[4]", 8, 24) + "}";
        refusesHeader(before, new byte[24])
                .hasMessageContaining("data bytes 0..8 before tensor 'a' belong to no tensor");
        String after = "{" + entry("a", "F32", "[4]", 0, 16) + "}";
        refusesHeader(after, new byte[20]).hasMessageContaining("the data buffer holds 20 bytes but the tensors cover"
                + " only 16 (the last, 'a', ends there): the 4 bytes after it belong to no tensor");
        refusesHeader("{}", new byte[3])
                .hasMessageContaining("the data buffer holds 3 bytes but the tensors cover only 0");
    }

    @Test
    void duplicateNames() {
        String json = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}";
        refusesHeader(json, new byte[8]).hasMessageContaining("the header lists 'a' twice");
        refusesHeader("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0])
                .hasMessageContaining("the header lists '__metadata__' twice");
    }

    @Test
    void metadataMustBeStrings() {
        refusesHeader("{\"__metadata__\":{\"epoch\":3}}", new byte[0])
                .hasMessageContaining("__metadata__ value for 'epoch' is a number (3), not a string");
        refusesHeader("{\"__metadata__\":{\"tags\":[\"a\"]}}", new byte[0])
                .hasMessageContaining("__metadata__ value for 'tags' is an array ([\"a\"]), not a string");
        refusesHeader("{\"__metadata__\":{\"x\":null}}", new byte[0]).hasMessageContaining("is a null (null)");
        refusesHeader("{\"__metadata__\":\"v1\"}", new byte[0])
                .hasMessageContaining("the header's __metadata__ is a string (\"v1\"), not an object of strings");
    }

    @Test
    void missingFilesAndFolders() {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafeTensorsFile.open(missing)).isInstanceOf(CheckpointException.class)
                .hasMessage(missing + ": does not exist");
        assertThatThrownBy(() -> SafeTensorsFile.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a folder, not a safetensors file; pass the .safetensors file inside it");
    }

    @Test
    void askingForTheWrongThing() {
        Path file = dir.resolve("m.safetensors");
        new SafeTensorsWriter().add("w", Tensor.zeros(2, 2)).addLongs("ids", new long[] {1, 2}).write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThatThrownBy(() -> f.tensor("v")).isInstanceOf(CheckpointException.class)
                    .hasMessage(file + ": has no tensor named 'v'; it holds 2 tensors: 'w', 'ids'");
            assertThatThrownBy(() -> f.ints("w")).hasMessageContaining("tensor 'w' is F32, which ints() does not read;"
                    + " use tensor() for float data");
            assertThatThrownBy(() -> f.ints("ids")).hasMessageContaining("tensor 'ids' is I64, which ints() does not"
                    + " read; its values may not fit in an int: use longs()");
            assertThatThrownBy(() -> f.bytes("w")).hasMessageContaining("it has 4 bytes per element: use tensor()");
            assertThatThrownBy(() -> f.longs("w")).hasMessageContaining("which longs() does not read");
        }
        SafeTensorsFile closed = SafeTensorsFile.open(file);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.tensor("w")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("was closed before tensor 'w' was read");
    }

    @Test
    void writerRefusesBadInput() {
        SafeTensorsWriter w = new SafeTensorsWriter().add("a", Tensor.zeros(1));
        assertThatThrownBy(() -> w.add("a", Tensor.zeros(2))).isInstanceOf(CheckpointException.class)
                .hasMessage("tensor 'a' was added twice; each name may appear once in a checkpoint");
        assertThatThrownBy(() -> w.add("__metadata__", Tensor.zeros(1))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'__metadata__' is reserved");
        assertThatThrownBy(() -> w.add("b", Tensor.zeros(1), DType.I32)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("a float tensor cannot be stored as I32");
        assertThatThrownBy(() -> w.addInts("c", new int[] {1, 2, 3}, 2, 2)).isInstanceOf(CheckpointException.class)
                .hasMessage("tensor 'c': 3 values cannot fill shape (2, 2) (4 elements)");
        assertThatThrownBy(() -> w.addBytes("d", DType.F16, new byte[3], 2)).isInstanceOf(CheckpointException.class)
                .hasMessage("tensor 'd' (F16, shape (2,)) needs 4 bytes but 3 were given");
    }

    @Test
    void headerBytesAreUtf8() {
        // A non-ASCII tensor name survives the round trip; its header length counts bytes, not chars.
        Path file = dir.resolve("utf8.safetensors");
        new SafeTensorsWriter().add("gewicht.größe", Tensor.scalar(1f)).write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("gewicht.größe");
        }
        assertThat("gewicht.größe".getBytes(StandardCharsets.UTF_8).length).isGreaterThan("gewicht.größe".length());
    }
}
