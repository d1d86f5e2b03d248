package dev.hearth.guard.crypto;

import dev.hearth.engine.io.EncryptedFileReader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The engine's reader of encrypted files ({@link dev.hearth.engine.io.StoredFiles}), registered
 * in {@code META-INF/services}: it decrypts with the master key of this process, which it looks
 * up on every file it opens: the key file named by the system property {@code hearth.key.file},
 * else {@code HEARTH_MASTER_KEY}, else the key file named by {@code HEARTH_KEY_FILE}.
 */
public final class EnvelopeFileReader implements EncryptedFileReader {

    /** For {@link java.util.ServiceLoader}. */
    public EnvelopeFileReader() {}

    @Override
    public long plainSize(Path file) throws IOException {
        return EnvelopeReader.inspect(file).plainSize();
    }

    @Override
    public InputStream newInputStream(Path file) throws IOException {
        return EnvelopeReader.open(file, key(file)).newInputStream();
    }

    @Override
    public MemorySegment readAll(Path file, Arena arena) throws IOException {
        try (EnvelopeReader reader = EnvelopeReader.open(file, key(file))) {
            MemorySegment plain = arena.allocate(reader.plainSize(), 64);
            reader.readAll(plain);
            return plain;
        }
    }

    private static MasterKey key(Path file) throws IOException {
        return MasterKey.fromEnvironment().orElseThrow(() -> missing(file));
    }

    private static KeyException missing(Path file) {
        String id;
        try {
            id = " with id " + EnvelopeReader.inspect(file).keyId();
        } catch (IOException | RuntimeException e) {
            id = "";
        }
        return new KeyException(file + " is encrypted and no master key is set: set " + MasterKey.ENV
                + " to the key" + id + " (base64) or " + MasterKey.FILE_ENV + " to the file holding it");
    }
}
