package dev.hearth.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the previous file as it was and no temporary file behind. */
class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("model.safetensors");
    }

    private void writeOld() {
        new SafeTensorsWriter().add("w", Tensor.full(1f, 4)).metadata("version", "old").write(file());
    }

    private void assertOldIntact() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file())) {
            assertThat(f.metadata()).containsEntry("version", "old");
            assertThat(f.tensor("w").toFloatArray()).containsExactly(1f, 1f, 1f, 1f);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
    }

    private static SafeTensorsWriter newVersion() {
        return new SafeTensorsWriter().add("w", Tensor.full(2f, 1000, 1000)).metadata("version", "new");
    }

    @Test
    void diskFullMidWayKeepsTheOldFile() throws IOException {
        writeOld();
        assertThatThrownBy(() -> newVersion().write(file(), ch -> new DiskFullChannel(ch, 3 << 20)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file().toString())
                .hasMessageContaining("could not write the checkpoint: the disk is full (No space left on device);"
                        + " free some space or write the checkpoint elsewhere");
        assertOldIntact();
    }

    @Test
    void tensorsThatFailWhileBeingListedKeepTheOldFile() throws IOException {
        writeOld();
        Map<String, Tensor> failing = new FailingTensorMap();
        assertThatThrownBy(() -> SafeTensors.write(file(), failing, Map.of()))
                .isInstanceOf(IllegalStateException.class);
        assertOldIntact();
    }

    @Test
    void failedRenameRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("taken.safetensors");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x"); // a non-empty folder cannot be replaced
        assertThatThrownBy(() -> newVersion().write(target)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(target + ": could not write the checkpoint");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("taken.safetensors");
        }
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("x");
    }

    @Test
    void readOnlyFolderKeepsTheOldFile() throws IOException {
        writeOld();
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "needs POSIX permissions");
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(dir), "permissions do not bind this user (root)");
            assertThatThrownBy(() -> newVersion().write(file())).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("permission denied");
        } finally {
            Files.setPosixFilePermissions(dir, before);
        }
        assertOldIntact();
    }

    @Test
    void replacesAFileThatIsOpenForReading() throws IOException {
        writeOld();
        try (SafeTensorsFile old = SafeTensorsFile.open(file())) {
            newVersion().write(file());
            // The open mapping still sees the old bytes (on filesystems where a rename leaves them alive).
            assertThat(old.tensor("w").toFloatArray()).containsExactly(1f, 1f, 1f, 1f);
        }
        try (SafeTensorsFile now = SafeTensorsFile.open(file())) {
            assertThat(now.metadata()).containsEntry("version", "new");
            assertThat(now.info("w").shape()).containsExactly(1000L, 1000L);
            assertThat(now.tensor("w").toFloatArray()).containsOnly(2f);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void createsMissingFoldersAndUsesOrdinaryPermissions() throws IOException {
        Path nested = dir.resolve("runs/42/checkpoints/step-100.safetensors");
        newVersion().write(nested);
        assertThat(SafeTensors.readMetadata(nested)).containsEntry("version", "new");
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Path plain = Files.createFile(dir.resolve("plain.txt"));
            assertThat(Files.getPosixFilePermissions(nested)).isEqualTo(Files.getPosixFilePermissions(plain));
        }
    }
}
