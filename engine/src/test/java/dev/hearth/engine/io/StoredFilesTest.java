package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain files read through {@link StoredFiles} exactly as before; an encrypted one, with no
 * reader on the engine's own class path, fails saying what it is and what to do.
 */
class StoredFilesTest {

    @TempDir
    Path tmp;

    @Test
    void plainFilesReadAsTheyAre() throws IOException {
        byte[] bytes = "héllo, world".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path f = Files.write(tmp.resolve("a.txt"), bytes);
        assertThat(StoredFiles.isEncrypted(f)).isFalse();
        assertThat(StoredFiles.readAllBytes(f)).isEqualTo(bytes);
        assertThat(StoredFiles.readString(f)).isEqualTo("héllo, world");
        assertThat(StoredFiles.size(f)).isEqualTo(bytes.length);
        try (InputStream in = StoredFiles.newInputStream(f)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = StoredFiles.map(f, arena);
            assertThat(m.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
        }
        Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
        try (Arena arena = Arena.ofConfined()) {
            assertThat(StoredFiles.map(empty, arena).byteSize()).isZero();
        }
        Path shorter = Files.write(tmp.resolve("short"), new byte[] {(byte) 0x89, 'H', 'E'});
        assertThat(StoredFiles.isEncrypted(shorter)).isFalse();
    }

    @Test
    void anEncryptedFileWithoutAReaderSaysWhatToDo() throws IOException {
        byte[] b = Arrays.copyOf(StoredFiles.magic(), 200);
        Path f = Files.write(tmp.resolve("model.safetensors"), b);
        assertThat(StoredFiles.isEncrypted(f)).isTrue();
        assertThatThrownBy(() -> StoredFiles.readString(f)).isInstanceOf(EncryptedFileException.class)
                .hasMessageContaining(f + " is encrypted at rest")
                .hasMessageContaining("hearth-guard").hasMessageContaining("HEARTH_MASTER_KEY");
        assertThatThrownBy(() -> SafeTensorsFile.open(f)).isInstanceOf(EncryptedFileException.class);
    }
}
