package dev.hearth.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Reads files stored encrypted at rest: those starting with {@link StoredFiles#isEncrypted the
 * encrypted-file magic}. The engine itself holds no cryptography and no keys; an implementation
 * (hearth-guard's, which finds its key in {@code HEARTH_MASTER_KEY} or {@code HEARTH_KEY_FILE})
 * is found with {@link java.util.ServiceLoader} and used by {@link StoredFiles}, through which
 * model folders, checkpoints and datasets are read.
 *
 * <p>Every method checks the file's integrity for the bytes it returns and fails with a
 * {@link dev.hearth.engine.HearthException} whose message names the file when the key is
 * missing or wrong or the file was modified. Plain bytes only ever go to memory, never to disk.
 */
public interface EncryptedFileReader {

    /** The number of plain bytes the encrypted {@code file} holds. */
    long plainSize(Path file) throws IOException;

    /** The plain bytes of {@code file}, streamed; no byte is returned before its segment is verified. */
    InputStream newInputStream(Path file) throws IOException;

    /**
     * Decrypts all of {@code file} into memory allocated from {@code arena} (off the heap, so files
     * past 2 GB fit) and returns it, verified. The memory lives as long as the arena.
     */
    MemorySegment readAll(Path file, Arena arena) throws IOException;
}
