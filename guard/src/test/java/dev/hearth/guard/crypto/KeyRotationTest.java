package dev.hearth.guard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation re-wraps the data key in the header's key slot; the encrypted data is not touched. */
class KeyRotationTest {
    private static final int HEADER = 92;
    private static final int KEY_SLOT = 24;

    @TempDir
    Path dir;

    private final MasterKey oldKey = MasterKey.generate();
    private final MasterKey newKey = MasterKey.generate();

    private Path encrypted(byte[] data) throws IOException {
        Path f = Files.write(dir.resolve("data.bin"), data);
        EncryptedFiles.encrypt(f, null, oldKey, 4096, null);
        return f;
    }

    private static byte[] read(Path f, MasterKey k) throws IOException {
        try (InputStream in = EnvelopeReader.open(f, k).newInputStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void rotationRewritesOnlyTheKeySlotAndTheDataStillReads() throws IOException {
        byte[] data = new byte[50_000];
        new Random(1).nextBytes(data);
        Path f = encrypted(data);
        byte[] before = Files.readAllBytes(f);

        FileResult r = EncryptedFiles.rotate(f, oldKey, newKey);

        assertThat(r.action()).isEqualTo(FileResult.Action.ROTATED);
        assertThat(r.keyId()).isEqualTo(newKey.id());
        byte[] after = Files.readAllBytes(f);
        assertThat(after).hasSameSizeAs(before);
        // the payload, every byte after the header, is exactly as it was
        assertThat(Arrays.copyOfRange(after, HEADER, after.length))
                .isEqualTo(Arrays.copyOfRange(before, HEADER, before.length));
        // and so is the header's file part; only the key slot changed
        assertThat(Arrays.copyOf(after, KEY_SLOT)).isEqualTo(Arrays.copyOf(before, KEY_SLOT));
        assertThat(Arrays.copyOfRange(after, KEY_SLOT, HEADER)).isNotEqualTo(Arrays.copyOfRange(before, KEY_SLOT, HEADER));
        assertThat(EncryptedFiles.info(f).keyId()).isEqualTo(newKey.id());

        assertThat(read(f, newKey)).isEqualTo(data);
        assertThatThrownBy(() -> read(f, oldKey)).isInstanceOf(KeyException.class)
                .hasMessageContaining("id " + newKey.id()).hasMessageContaining("id " + oldKey.id());
    }

    @Test
    void rotatingAgainDoesNothingAndAWrongOldKeyChangesNothing() throws IOException {
        Path f = encrypted(new byte[10_000]);
        EncryptedFiles.rotate(f, oldKey, newKey);
        byte[] rotated = Files.readAllBytes(f);
        assertThat(EncryptedFiles.rotate(f, oldKey, newKey).action()).isEqualTo(FileResult.Action.ALREADY_ROTATED);
        assertThat(Files.readAllBytes(f)).isEqualTo(rotated);

        MasterKey stranger = MasterKey.generate();
        MasterKey third = MasterKey.generate();
        assertThatThrownBy(() -> EncryptedFiles.rotate(f, stranger, third)).isInstanceOf(KeyException.class)
                .hasMessageContaining("encrypted under the master key with id " + newKey.id())
                .hasMessageContaining("nothing was changed");
        assertThat(Files.readAllBytes(f)).isEqualTo(rotated);
    }

    @Test
    void aTamperedKeySlotIsCaughtOnRotation() throws IOException {
        Path f = encrypted(new byte[10_000]);
        byte[] b = Files.readAllBytes(f);
        b[70] ^= 1;
        Files.write(f, b);
        assertThatThrownBy(() -> EncryptedFiles.rotate(f, oldKey, newKey)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("was modified or is corrupt");
        assertThat(Files.readAllBytes(f)).isEqualTo(b);
    }

    @Test
    void aKeySlotCannotBeMovedToAnotherFile() throws IOException {
        Path a = encrypted(new byte[5000]);
        Path b = dir.resolve("other.bin");
        Files.write(b, new byte[5000]);
        EncryptedFiles.encrypt(b, null, oldKey, 4096, null);
        byte[] x = Files.readAllBytes(a);
        byte[] y = Files.readAllBytes(b);
        System.arraycopy(x, KEY_SLOT, y, KEY_SLOT, HEADER - KEY_SLOT);   // a's wrapped data key into b
        Files.write(b, y);
        assertThatThrownBy(() -> read(b, oldKey)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("header fails its authentication check");
    }
}
