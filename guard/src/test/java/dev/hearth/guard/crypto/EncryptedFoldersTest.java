package dev.hearth.guard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.io.StoredFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole folders: in place and into a new folder, idempotent, rotated, refused when unsafe. */
class EncryptedFoldersTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate();

    private Path folder() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir.resolve("sub"));
        Random r = new Random(1);
        for (String name : List.of("config.json", "model.safetensors", "sub/train-00000.bin", "empty")) {
            byte[] b = new byte[name.equals("empty") ? 0 : 1000 + r.nextInt(20_000)];
            r.nextBytes(b);
            Files.write(dir.resolve(name), b);
        }
        return dir;
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Path f : EncryptedFolders.files(dir)) {
            out.put(dir.relativize(f).toString(), StoredFiles.readAllBytes(f));
        }
        return out;
    }

    private static Map<String, byte[]> raw(Path dir) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Path f : EncryptedFolders.files(dir)) {
            out.put(dir.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }

    @Test
    void encryptsEveryFileInPlaceKeepingNamesAndDecryptsBack() throws IOException {
        Path dir = folder();
        Map<String, byte[]> plain = raw(dir);
        AtomicLong progress = new AtomicLong();

        List<FileResult> done = EncryptedFolders.encrypt(dir, null, key, 4096, progress::addAndGet);

        assertThat(done).hasSize(4).allMatch(r -> r.action() == FileResult.Action.ENCRYPTED);
        assertThat(progress.get()).isEqualTo(plain.values().stream().mapToLong(b -> b.length).sum());
        assertThat(raw(dir).keySet()).isEqualTo(plain.keySet());
        for (Path f : EncryptedFolders.files(dir)) {
            assertThat(StoredFiles.isEncrypted(f)).as(f.toString()).isTrue();
        }
        assertThat(EncryptedFolders.encrypt(dir, null, key, null))
                .allMatch(r -> r.action() == FileResult.Action.ALREADY_ENCRYPTED);

        assertThat(EncryptedFolders.decrypt(dir, null, key, null))
                .allMatch(r -> r.action() == FileResult.Action.DECRYPTED);
        Map<String, byte[]> back = raw(dir);
        plain.forEach((name, bytes) -> assertThat(back.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void intoANewFolderTheSourceIsLeftAsItIs() throws IOException {
        Path dir = folder();
        Map<String, byte[]> plain = raw(dir);
        Path out = tmp.resolve("encrypted");
        EncryptedFolders.encrypt(dir, out, key, null);
        Map<String, byte[]> source = raw(dir);
        assertThat(source).containsOnlyKeys(plain.keySet());
        plain.forEach((name, bytes) -> assertThat(source.get(name)).isEqualTo(bytes));
        assertThat(EncryptedFiles.isEncrypted(out.resolve("sub/train-00000.bin"))).isTrue();
        Path back = tmp.resolve("decrypted");
        EncryptedFolders.decrypt(out, back, key, null);
        Map<String, byte[]> decrypted = raw(back);
        plain.forEach((name, bytes) -> assertThat(decrypted.get(name)).as(name).isEqualTo(bytes));
        assertThatThrownBy(() -> EncryptedFolders.encrypt(dir, out, key, null))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("already exists");
        try (var siblings = Files.list(tmp)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model", "encrypted",
                    "decrypted");
        }
    }

    @Test
    void rotatesEveryFileAndAWrongKeyChangesNothing() throws IOException {
        Path dir = folder();
        Map<String, byte[]> plain = contents(dir);
        EncryptedFolders.encrypt(dir, null, key, null);
        MasterKey next = MasterKey.generate();

        MasterKey wrong = MasterKey.generate();
        Map<String, byte[]> stored = raw(dir);
        assertThatThrownBy(() -> EncryptedFolders.rotate(dir, wrong, next)).isInstanceOf(KeyException.class)
                .hasMessageContaining(key.id()).hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> EncryptedFolders.decrypt(dir, null, wrong, null)).isInstanceOf(KeyException.class);
        stored.forEach((name, bytes) -> {
            try {
                assertThat(Files.readAllBytes(dir.resolve(name))).as(name).isEqualTo(bytes);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(EncryptedFolders.rotate(dir, key, next)).allMatch(r -> r.action() == FileResult.Action.ROTATED);
        for (Path f : EncryptedFolders.files(dir)) {
            assertThat(EncryptedFiles.info(f).keyId()).isEqualTo(next.id());
        }
        assertThat(EncryptedFolders.rotate(dir, key, next))
                .allMatch(r -> r.action() == FileResult.Action.ALREADY_ROTATED);
        EncryptedFolders.decrypt(dir, null, next, null);
        Map<String, byte[]> back = raw(dir);
        plain.forEach((name, bytes) -> assertThat(back.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void aSymbolicLinkIsRefusedBeforeAnythingIsDone() throws IOException {
        Path dir = folder();
        Path outside = Files.write(tmp.resolve("blob"), new byte[] {1, 2, 3});
        Files.createSymbolicLink(dir.resolve("link.safetensors"), outside);
        Map<String, byte[]> before = new LinkedHashMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                before.put(p.toString(), Files.readAllBytes(p));
            }
        }
        assertThatThrownBy(() -> EncryptedFolders.encrypt(dir, null, key, null))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("link.safetensors is a symbolic link");
        before.forEach((p, b) -> {
            try {
                assertThat(StoredFiles.isEncrypted(Path.of(p))).as(p).isFalse();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aTamperedFileStopsDecryptionWithTheFilesDoneCounted() throws IOException {
        Path dir = folder();
        EncryptedFolders.encrypt(dir, null, key, 4096, null);
        Path victim = dir.resolve("sub/train-00000.bin");
        byte[] b = Files.readAllBytes(victim);
        b[b.length - 20] ^= 1;
        Files.write(victim, b);
        assertThatThrownBy(() -> EncryptedFolders.decrypt(dir, null, key, null))
                .isInstanceOf(EncryptionException.class)
                .hasMessageContaining("file " + victim + " was modified or is corrupt")
                .hasMessageContaining("3 of the 4 files");
        assertThat(Files.readAllBytes(victim)).isEqualTo(b);
    }
}
