package dev.hearth.guard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.io.StoredFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encrypted-file format: round trips at every size that matters around segment edges, the
 * header layout, and that every kind of change to a file (header, key slot, a segment's bytes or
 * tag, truncation, extension, reordering, splicing from another file) is caught and named.
 */
class EnvelopeFormatTest {
    private static final int SEG = 4096;
    private static final int TAG = 16;
    private static final int HEADER = 92;

    @TempDir
    Path dir;

    private final MasterKey key = MasterKey.generate();

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path plain(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path encrypted(String name, byte[] bytes) throws IOException {
        Path f = plain(name, bytes);
        EncryptedFiles.encrypt(f, null, key, SEG, null);
        return f;
    }

    private byte[] decrypt(Path f, MasterKey k) throws IOException {
        try (InputStream in = EnvelopeReader.open(f, k).newInputStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsAtEverySizeAroundSegmentEdges() throws IOException {
        int[] sizes = {0, 1, 15, 16, 17, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG - 16, 3 * SEG + 5, 10 * SEG};
        for (int n : sizes) {
            byte[] data = random(n, n);
            Path f = encrypted("f" + n, data);
            long segments = Math.max(1, (n + SEG - 1) / SEG);
            assertThat(Files.size(f)).as("size %d", n).isEqualTo(HEADER + segments * TAG + n);
            assertThat(decrypt(f, key)).as("size %d", n).isEqualTo(data);
            EnvelopeInfo info = EncryptedFiles.info(f);
            assertThat(info.plainSize()).isEqualTo(n);
            assertThat(info.segments()).isEqualTo(segments);
            Path back = dir.resolve("back" + n);
            EncryptedFiles.decrypt(f, back, key, null);
            assertThat(Files.readAllBytes(back)).isEqualTo(data);
        }
    }

    @Test
    void theHeaderIsLaidOutAsDocumented() throws IOException {
        Path f = encrypted("h", random(10_000, 1));
        byte[] h = Arrays.copyOf(Files.readAllBytes(f), HEADER);
        ByteBuffer b = ByteBuffer.wrap(h);
        assertThat(Arrays.copyOf(h, 8)).isEqualTo(new byte[] {(byte) 0x89, 'H', 'E', 'N', 'C', '\r', '\n', 0x1A});
        assertThat(StoredFiles.isEncrypted(f)).isTrue();
        assertThat(b.getShort(8)).isEqualTo((short) 1);
        assertThat(b.getShort(10)).isEqualTo((short) HEADER);
        assertThat(b.getInt(12)).isEqualTo(SEG);
        assertThat(h[23]).isZero();
        assertThat(HexFormat.of().formatHex(h, 24, 32)).isEqualTo(key.id());
        assertThat(EncryptedFiles.info(f).keyId()).isEqualTo(key.id());
    }

    @Test
    void theSameBytesEncryptDifferentlyEachTime() throws IOException {
        byte[] data = random(5000, 2);
        byte[] a = Files.readAllBytes(encrypted("a", data));
        byte[] b = Files.readAllBytes(encrypted("b", data));
        assertThat(Arrays.copyOfRange(a, HEADER, a.length)).isNotEqualTo(Arrays.copyOfRange(b, HEADER, b.length));
        assertThat(Arrays.copyOfRange(a, 16, 23)).isNotEqualTo(Arrays.copyOfRange(b, 16, 23)); // nonce prefixes
    }

    @Test
    void streamsInAnyChunkingAndReadsAnySegmentOnItsOwn() throws IOException {
        byte[] data = random(7 * SEG + 123, 3);
        Path f = dir.resolve("s");
        try (EnvelopeOutputStream out = new EnvelopeOutputStream(Files.newOutputStream(f), key, SEG)) {
            Random r = new Random(4);
            for (int at = 0; at < data.length; ) {
                int n = Math.min(data.length - at, r.nextInt(3 * SEG));
                if (n == 1) {
                    out.write(data[at]);
                } else {
                    out.write(data, at, n);
                }
                at += n;
            }
        }
        try (InputStream in = EnvelopeReader.open(f, key).newInputStream()) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Random r = new Random(5);
            byte[] buf = new byte[3 * SEG];
            for (int n; (n = in.read(buf, 0, 1 + r.nextInt(buf.length))) >= 0; ) {
                got.write(buf, 0, n);
            }
            assertThat(got.toByteArray()).isEqualTo(data);
        }
        try (EnvelopeReader reader = EnvelopeReader.open(f, key)) {
            ByteBuffer seg = ByteBuffer.allocate(SEG);
            assertThat(reader.read(5, seg)).isEqualTo(SEG);
            assertThat(seg.array()).isEqualTo(Arrays.copyOfRange(data, 5 * SEG, 6 * SEG));
            seg.clear();
            assertThat(reader.read(7, seg)).isEqualTo(123);
        }
    }

    @Test
    void aWrongKeyNamesBothKeyIdsAndChangesNothing() throws IOException {
        byte[] data = random(3 * SEG, 6);
        Path f = encrypted("w", data);
        byte[] stored = Files.readAllBytes(f);
        MasterKey other = MasterKey.generate();
        assertThatThrownBy(() -> EncryptedFiles.decrypt(f, null, other, null))
                .isInstanceOf(KeyException.class)
                .hasMessageContaining("encrypted under the master key with id " + key.id())
                .hasMessageContaining("the key given has id " + other.id());
        assertThatThrownBy(() -> EncryptedFiles.decrypt(f, dir.resolve("out"), other, null))
                .isInstanceOf(KeyException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(stored);
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(Files.list(dir)).hasSize(1);                 // no temporary file left
    }

    /** Decrypting {@code f} in place must fail naming what changed, and leave the file as it is. */
    private void assertCaught(Path f, String... words) throws IOException {
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> EncryptedFiles.decrypt(f, null, key, null))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("file " + f + " was modified or is corrupt")
                .hasMessageContaining(words.length > 0 ? words[0] : "");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThatThrownBy(() -> decrypt(f, key)).isInstanceOf(IntegrityException.class);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".crypt-tmp"))).isEmpty();
        }
    }

    private Path flipped(String name, int at) throws IOException {
        Path f = encrypted(name, random(5 * SEG + 7, 7));
        byte[] b = Files.readAllBytes(f);
        b[at < 0 ? b.length + at : at] ^= 0x01;
        Files.write(f, b);
        return f;
    }

    @Test
    void aChangedByteAnywhereIsCaughtAndItsSegmentNamed() throws IOException {
        assertCaught(flipped("seg3", HEADER + 2 * (SEG + TAG) + 100), "segment 3 of 6");
        assertCaught(flipped("tag1", HEADER + SEG + 3), "segment 1 of 6");
        assertCaught(flipped("last", -1), "segment 6 of 6");
        assertCaught(flipped("prefix", 18), "its header fails its authentication check");
        assertCaught(flipped("slot", 60), "its header fails its authentication check");
        assertCaught(flipped("wrapnonce", 33), "its header fails its authentication check");
        assertCaught(flipped("segsize", 14), "its header fails its authentication check");
        assertCaught(flipped("reserved", 23), "reserved byte");
        assertCaught(flipped("hsize", 11), "header size");
    }

    @Test
    void truncatingExtendingAndReorderingAreCaught() throws IOException {
        int sealed = SEG + TAG;
        byte[] data = random(4 * SEG + 10, 8);

        Path cutAtSegment = encrypted("cut", data);                 // drop the whole last segment
        byte[] b = Files.readAllBytes(cutAtSegment);
        Files.write(cutAtSegment, Arrays.copyOf(b, HEADER + 4 * sealed));
        assertCaught(cutAtSegment, "segment 4 of 4");

        Path cutInside = encrypted("cut2", data);
        Files.write(cutInside, Arrays.copyOf(Files.readAllBytes(cutInside), HEADER + 2 * sealed + 5));
        assertCaught(cutInside, "ends inside a segment's tag");

        Path cutHeader = encrypted("cut3", data);
        Files.write(cutHeader, Arrays.copyOf(Files.readAllBytes(cutHeader), 50));
        assertCaught(cutHeader, "ends inside its header");

        Path appended = encrypted("app", data);
        byte[] a = Files.readAllBytes(appended);
        byte[] longer = Arrays.copyOf(a, a.length + 40);
        Files.write(appended, longer);
        assertCaught(appended, "segment 5 of 5");      // the last segment grew by 40 bytes

        Path swapped = encrypted("swap", data);
        byte[] s = Files.readAllBytes(swapped);
        byte[] seg1 = Arrays.copyOfRange(s, HEADER, HEADER + sealed);
        System.arraycopy(s, HEADER + sealed, s, HEADER, sealed);
        System.arraycopy(seg1, 0, s, HEADER + sealed, sealed);
        Files.write(swapped, s);
        assertCaught(swapped, "segment 1 of 5");

        // a segment of another file, even under the same master key, does not open in this one
        Path spliced = encrypted("splice", data);
        byte[] x = Files.readAllBytes(spliced);
        byte[] y = Files.readAllBytes(encrypted("donor", data));
        System.arraycopy(y, HEADER + sealed, x, HEADER + sealed, sealed);
        Files.write(spliced, x);
        assertCaught(spliced, "segment 2 of 5");
    }

    @Test
    void aPlainFileIsNotDecryptedAndAnEncryptedOneNotEncryptedTwice() throws IOException {
        Path p = plain("p", random(100, 9));
        assertThat(EncryptedFiles.decrypt(p, null, key, null).action()).isEqualTo(FileResult.Action.NOT_ENCRYPTED);
        Path e = encrypted("e", random(100, 9));
        byte[] once = Files.readAllBytes(e);
        FileResult again = EncryptedFiles.encrypt(e, null, key, null);
        assertThat(again.action()).isEqualTo(FileResult.Action.ALREADY_ENCRYPTED);
        assertThat(again.keyId()).isEqualTo(key.id());
        assertThat(Files.readAllBytes(e)).isEqualTo(once);
    }

    @Test
    void anExistingOutputIsNeverOverwritten() throws IOException {
        Path p = plain("p", random(100, 10));
        Path out = plain("out", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> EncryptedFiles.encrypt(p, out, key, null))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("already exists");
        assertThat(Files.readAllBytes(out)).containsExactly(1, 2, 3);
    }

    @Test
    void encryptingKeepsTheFilesPermissions() throws IOException {
        Path p = plain("perm", random(100, 11));
        var perms = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(p, perms);
        EncryptedFiles.encrypt(p, null, key, null);
        assertThat(Files.getPosixFilePermissions(p)).isEqualTo(perms);
        EncryptedFiles.decrypt(p, dir.resolve("plain-copy"), key, null);
        assertThat(Files.getPosixFilePermissions(dir.resolve("plain-copy"))).isEqualTo(perms);
    }
}
