package dev.hearth.lab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.engine.HearthException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {

    @TempDir
    Path dir;

    private Path write(String name, boolean gzip, int... ints) throws IOException {
        return writeWithBytes(name, gzip, new byte[0], ints);
    }

    private Path writeWithBytes(String name, boolean gzip, byte[] tail, int... ints) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            for (int v : ints) {
                out.writeInt(v);
            }
            out.write(tail);
        }
        Path p = dir.resolve(name);
        try (OutputStream os = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            os.write(buf.toByteArray());
        }
        return p;
    }

    @Test
    void readsGzippedAndPlainIdx() throws IOException {
        Path images = writeWithBytes("img.gz", true, new byte[] {0, (byte) 255, 51, 102, 0, 0, 0, 0}, 2051, 2, 2, 2);
        Path labels = writeWithBytes("lab", false, new byte[] {7, 3}, 2049, 2);
        ImageSet set = Mnist.read("t", images, labels);
        assertThat(set.count()).isEqualTo(2);
        assertThat(set.labels()).containsExactly(7, 3);
        assertThat(set.pixels()[1]).isEqualTo(1f);
        assertThat(set.pixels()[2]).isEqualTo(0.2f);
    }

    @Test
    void badFilesAreExplained() throws IOException {
        Path labels = writeWithBytes("lab", false, new byte[] {1}, 2049, 1);
        assertThatThrownBy(() -> Mnist.read("t", write("bad", false, 1234, 1, 1, 1), labels))
                .isInstanceOf(HearthException.class).hasMessageContaining("magic number 1234");
        Path truncated = writeWithBytes("short", false, new byte[] {1, 2, 3}, 2051, 1, 2, 2);
        assertThatThrownBy(() -> Mnist.read("t", truncated, labels)).isInstanceOf(HearthException.class)
                .hasMessageContaining("truncated");
        Path images = writeWithBytes("img", false, new byte[4], 2051, 1, 2, 2);
        Path twoLabels = writeWithBytes("lab2", false, new byte[] {1, 2}, 2049, 2);
        assertThatThrownBy(() -> Mnist.read("t", images, twoLabels)).isInstanceOf(HearthException.class)
                .hasMessageContaining("2 labels").hasMessageContaining("1 images");
        assertThatThrownBy(() -> Mnist.read("t", dir.resolve("missing"), labels)).isInstanceOf(HearthException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void readsTheSharedMnistWhenPresent() {
        Path shared = Path.of("../../shared/data");
        if (!Files.isDirectory(shared)) {
            shared = Path.of("../shared/data");
        }
        assumeTrue(Files.isRegularFile(shared.resolve(Mnist.TEST_IMAGES)),
                "../shared/data is absent: skipping the real MNIST check");
        ImageSet set = Mnist.read("mnist", shared.resolve(Mnist.TEST_IMAGES), shared.resolve(Mnist.TEST_LABELS));
        assertThat(set.count()).isEqualTo(10_000);
        assertThat(set.height()).isEqualTo(28);
        assertThat(set.labels()[0]).isEqualTo(7); // the first t10k digit is a 7
    }

    @Test
    void syntheticDigitsAreReproducible() {
        ImageSet a = SyntheticDigits.generate("a", 50, 3);
        ImageSet b = SyntheticDigits.generate("b", 50, 3);
        assertThat(a.pixels()).containsExactly(b.pixels());
        assertThat(a.labels()).containsExactly(b.labels());
        assertThat(SyntheticDigits.generate("c", 50, 4).labels()).isNotEqualTo(a.labels());
        for (float v : a.pixels()) {
            assertThat(v).isBetween(0f, 1f);
        }
    }
}
