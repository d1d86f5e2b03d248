package dev.hearth.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Reads files as they are stored: plain, or encrypted at rest. A file whose first bytes are
 * {@link #magic()} is encrypted (format: docs/encryption.md) and is read through the
 * {@link EncryptedFileReader} found on the class path, which decrypts into memory only; any other
 * file is read as it is. Model folders, checkpoints and datasets are read through here, so an
 * encrypted one loads like a plain one when its key is present.
 */
public final class StoredFiles {
    private StoredFiles() {}

    /** The first 8 bytes of a file encrypted at rest: {@code 89 'H' 'E' 'N' 'C' '\r' '\n' 1A}. */
    private static final byte[] MAGIC = {(byte) 0x89, 'H', 'E', 'N', 'C', '\r', '\n', 0x1A};

    /** The readers found with {@link ServiceLoader}, looked up once. */
    private static final class Readers {
        static final List<EncryptedFileReader> FOUND = ServiceLoader.load(EncryptedFileReader.class).stream()
                .map(ServiceLoader.Provider::get).toList();
    }

    /** The magic an encrypted file starts with (a copy). */
    public static byte[] magic() {
        return MAGIC.clone();
    }

    /** Whether {@code head}, a file's first bytes, starts with the encrypted-file magic. */
    public static boolean startsWithMagic(byte[] head) {
        return head.length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Whether {@code file} is encrypted at rest (it starts with the magic). */
    public static boolean isEncrypted(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
            while (head.hasRemaining() && ch.read(head) >= 0) {
                // a regular file fills the buffer in one read; loop for the others
            }
            return startsWithMagic(Arrays.copyOf(head.array(), head.position()));
        }
    }

    /** The plain bytes of {@code file}, streamed. */
    public static InputStream newInputStream(Path file) throws IOException {
        return isEncrypted(file) ? reader(file).newInputStream(file) : Files.newInputStream(file);
    }

    /** All plain bytes of {@code file}. */
    public static byte[] readAllBytes(Path file) throws IOException {
        if (!isEncrypted(file)) {
            return Files.readAllBytes(file);
        }
        try (InputStream in = reader(file).newInputStream(file)) {
            return in.readAllBytes();
        }
    }

    /** {@code file} as UTF-8 text; malformed UTF-8 is an error, as for {@link Files#readString}. */
    public static String readString(Path file) throws IOException {
        if (!isEncrypted(file)) {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(readAllBytes(file))).toString();
    }

    /** The number of plain bytes in {@code file}. */
    public static long size(Path file) throws IOException {
        return isEncrypted(file) ? reader(file).plainSize(file) : Files.size(file);
    }

    /**
     * The plain bytes of {@code file} as memory living as long as {@code arena}: a plain file is
     * memory-mapped read-only; an encrypted one is decrypted into memory allocated from the arena
     * (never into a file). An empty file gives an empty segment.
     */
    public static MemorySegment map(Path file, Arena arena) throws IOException {
        if (isEncrypted(file)) {
            return reader(file).readAll(file, arena);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            return size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    private static EncryptedFileReader reader(Path file) {
        List<EncryptedFileReader> found = Readers.FOUND;
        if (found.isEmpty()) {
            throw new EncryptedFileException(file + " is encrypted at rest, and nothing here can read encrypted files:"
                    + " put hearth-guard on the class path and set HEARTH_MASTER_KEY or HEARTH_KEY_FILE to its key"
                    + " (docs/encryption.md)");
        }
        return found.getFirst();
    }
}
