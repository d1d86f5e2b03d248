package dev.hearth.engine.io;

import static dev.hearth.engine.io.SafeTensorsFixtures.f32;
import static dev.hearth.engine.io.SafeTensorsFixtures.le64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files past 2 GB: every offset is a long, and oversized tensors stay readable as segments. */
class SafeTensorsLargeFileTest {
    private static final long PAD = (1L << 31) + 8; // U8 elements before "x": more than a Java array holds

    @TempDir
    Path dir;

    @Test
    void readsATensorStoredBeyondTwoGigabytes() throws IOException {
        // 2 GB of zeros cost nothing on a filesystem with sparse files; without them, they need the space.
        assumeTrue(Files.getFileStore(dir).getUsableSpace() > PAD + (512L << 20),
                "needs about 2.5 GB free (or sparse files) in " + dir);
        String json = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + PAD + "],\"data_offsets\":[0," + PAD + "]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + PAD + "," + (PAD + 16) + "]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        Path file = dir.resolve("big.safetensors");
        long dataStart = 8 + padded.length();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(le64(padded.length()));
            raf.write(padded.getBytes(StandardCharsets.US_ASCII));
            raf.setLength(dataStart + PAD + 16); // sparse: nothing written in between
            raf.seek(dataStart + PAD);
            raf.write(f32(1.5f, -2f, 3.25f, 1e-3f));
            raf.seek(dataStart + PAD - 1);
            raf.write(0xAB); // the last byte of "pad"
        }
        assertThat(Files.size(file)).isGreaterThan(1L << 31);

        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("pad", "x");
            assertThat(f.info("x").start()).isEqualTo(dataStart + PAD);
            assertThat(f.tensor("x").toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 1e-3f);
            assertThat(f.tensor("x").shape().toArray()).containsExactly(2, 2);

            assertThat(f.info("pad").numel()).isEqualTo(PAD);
            assertThatThrownBy(() -> f.tensor("pad")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("tensor 'pad' (U8, shape (2147483656,)) has 2147483656 elements, more than a"
                            + " Java array holds (2147483639); read its bytes through segment(\"pad\")");
            assertThatThrownBy(() -> f.bytes("pad")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("more than a Java array holds");
            MemorySegment pad = f.segment("pad");
            assertThat(pad.byteSize()).isEqualTo(PAD);
            assertThat(pad.get(ValueLayout.JAVA_BYTE, PAD - 1)).isEqualTo((byte) 0xAB);
            assertThat(pad.get(ValueLayout.JAVA_BYTE, 1L << 31)).isZero();
        }
    }
}
