package dev.hearth.guard.crypto;

import dev.hearth.engine.io.StoredFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Encrypting, decrypting and rotating one file (format: {@link EnvelopeHeader}, docs/encryption.md).
 *
 * <p>Encrypting and decrypting stream in constant memory and write all or nothing: the result
 * goes to a temporary file beside the target and replaces it only when complete (in place, the
 * target is the file itself). Encrypting in place also decrypts the result and compares it with
 * the original before the original is replaced, so a plain file is only ever given up for one
 * that is known to read back. Rotating re-wraps the data key under the new master key by
 * rewriting the 68-byte key slot of the header in place; the encrypted data is not touched.
 *
 * <p>{@code progress} receives the plain bytes done, as they are done (it may be null).
 */
public final class EncryptedFiles {
    private EncryptedFiles() {}

    private static final int BUFFER = 1 << 20;

    /** Whether {@code file} is encrypted (it starts with the encrypted-file magic). */
    public static boolean isEncrypted(Path file) {
        try {
            return StoredFiles.isEncrypted(file);
        } catch (NoSuchFileException e) {
            throw new EncryptionException(file + " does not exist");
        } catch (IOException e) {
            throw new EncryptionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the header and size of the encrypted {@code file} say; needs no key. */
    public static EnvelopeInfo info(Path file) {
        try {
            return EnvelopeReader.inspect(file);
        } catch (NoSuchFileException e) {
            throw new EncryptionException(file + " does not exist");
        } catch (IOException e) {
            throw new EncryptionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts {@code source} under {@code key} into {@code target} (in place when {@code target}
     * is null or the source itself; otherwise {@code target} must not exist). A file already
     * encrypted is left alone ({@link FileResult.Action#ALREADY_ENCRYPTED}).
     */
    public static FileResult encrypt(Path source, Path target, MasterKey key, LongConsumer progress) {
        return encrypt(source, target, key, EnvelopeHeader.DEFAULT_SEGMENT_SIZE, progress);
    }

    static FileResult encrypt(Path source, Path target, MasterKey key, int segmentSize, LongConsumer progress) {
        EnvelopeHeader.checkSegmentSize(segmentSize);
        requireRegularFile(source);
        if (isEncrypted(source)) {
            return new FileResult(source, source, FileResult.Action.ALREADY_ENCRYPTED, info(source).plainSize(),
                    info(source).keyId());
        }
        boolean inPlace = inPlace(source, target);
        Path out = inPlace ? source : target;
        BasicFileAttributes before = attributes(source);
        long[] plain = new long[1];
        try {
            AtomicWrite.write(out, source, inPlace, sink -> {
                try (InputStream in = Files.newInputStream(source);
                     EnvelopeOutputStream enc = new EnvelopeOutputStream(nonClosing(sink), key, segmentSize)) {
                    byte[] buf = new byte[BUFFER];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        enc.write(buf, 0, n);
                        report(progress, n);
                    }
                    enc.finish();
                    plain[0] = enc.plainBytes();
                }
            }, written -> {
                if (inPlace) {
                    checkUnchanged(source, before);
                    checkReadsBack(written, key, source);
                }
            });
        } catch (FileAlreadyExistsException e) {
            throw exists(target);
        } catch (IOException e) {
            throw failed("encrypt", source, out, e);
        }
        return new FileResult(source, out, FileResult.Action.ENCRYPTED, plain[0], key.id());
    }

    /**
     * Decrypts {@code source} with {@code key} into {@code target} (in place when {@code target} is
     * null or the source itself; otherwise {@code target} must not exist). Each segment is verified
     * before it is written; on any failure the target is left as it was. A plain file is left
     * alone ({@link FileResult.Action#NOT_ENCRYPTED}).
     *
     * @throws KeyException when the file is under another master key
     * @throws IntegrityException when the file was modified
     */
    public static FileResult decrypt(Path source, Path target, MasterKey key, LongConsumer progress) {
        requireRegularFile(source);
        if (!isEncrypted(source)) {
            return new FileResult(source, source, FileResult.Action.NOT_ENCRYPTED, size(source), null);
        }
        boolean inPlace = inPlace(source, target);
        Path out = inPlace ? source : target;
        long plain;
        try (EnvelopeReader reader = EnvelopeReader.open(source, key)) {
            plain = reader.plainSize();
            AtomicWrite.write(out, source, inPlace, sink -> {
                ByteBuffer buf = ByteBuffer.allocate(reader.info().segmentSize());
                for (long i = 0; i < reader.info().segments(); i++) {
                    buf.clear();
                    int n = reader.read(i, buf);
                    sink.write(buf.array(), 0, n);
                    report(progress, n);
                }
                Arrays.fill(buf.array(), (byte) 0);
            }, written -> { });
        } catch (FileAlreadyExistsException e) {
            throw exists(target);
        } catch (IOException e) {
            throw failed("decrypt", source, out, e);
        }
        return new FileResult(source, out, FileResult.Action.DECRYPTED, plain, null);
    }

    /**
     * Re-wraps the data key of {@code file} from master key {@code from} to {@code to}, rewriting
     * only the header's key slot (bytes 24..92), then reads the slot back and checks that {@code to}
     * unwraps the same data key. The encrypted data is not touched. A file under {@code to}
     * already, or plain, is left alone.
     *
     * @throws KeyException when the file is under neither key
     * @throws IntegrityException when its header was modified
     */
    public static FileResult rotate(Path file, MasterKey from, MasterKey to) {
        requireRegularFile(file);
        if (!isEncrypted(file)) {
            return new FileResult(file, file, FileResult.Action.NOT_ENCRYPTED, size(file), null);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            EnvelopeHeader header = EnvelopeReader.readHeader(ch, file);
            long plain = EnvelopeReader.inspect(file).plainSize();
            if (header.keyId().equals(to.id())) {
                zero(header.dataKey(to, file));    // it is under the new key, and its slot is intact
                return new FileResult(file, file, FileResult.Action.ALREADY_ROTATED, plain, to.id());
            }
            if (!header.keyId().equals(from.id())) {
                throw new KeyException(file + " is encrypted under the master key with id " + header.keyId()
                        + ", neither the old key given (id " + from.id() + ") nor the new one (id " + to.id()
                        + "): give the key with id " + header.keyId() + " as the old key; nothing was changed");
            }
            byte[] dataKey = header.dataKey(from, file);
            try {
                EnvelopeHeader rotated = header.withKey(dataKey, to);
                ByteBuffer slot = ByteBuffer.wrap(rotated.keySlot());
                while (slot.hasRemaining()) {
                    ch.write(slot, EnvelopeHeader.FILE_PART + slot.position());
                }
                ch.force(true);
                byte[] back = EnvelopeReader.readHeader(ch, file).dataKey(to, file);
                boolean same = MessageDigest.isEqual(back, dataKey);
                zero(back);
                if (!same) {
                    throw new IllegalStateException(file + ": the re-wrapped data key does not read back");
                }
            } finally {
                zero(dataKey);
            }
            return new FileResult(file, file, FileResult.Action.ROTATED, plain, to.id());
        } catch (AccessDeniedException e) {
            throw new EncryptionException("cannot rotate " + file + ": it is read-only (" + e.getMessage() + "); make it"
                    + " writable (chmod u+w) and rotate again; nothing was changed", e);
        } catch (IOException e) {
            throw new EncryptionException("cannot rotate " + file + ": " + describe(e), e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static boolean inPlace(Path source, Path target) {
        if (target == null) {
            return true;
        }
        try {
            return Files.exists(target) && Files.isSameFile(source, target);
        } catch (IOException e) {
            return false;
        }
    }

    static void requireRegularFile(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new EncryptionException(file + " is a symbolic link; encrypt the file it points to ("
                    + resolvedOrUnknown(file) + ") instead, so that no plain copy is left behind the link");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new EncryptionException(file + " does not exist");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new EncryptionException(file + " is not a regular file");
        }
    }

    private static String resolvedOrUnknown(Path link) {
        try {
            return link.toRealPath().toString();
        } catch (IOException e) {
            return "its target is missing";
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new EncryptionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkUnchanged(Path source, BasicFileAttributes before) throws IOException {
        BasicFileAttributes now = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (now.size() != before.size() || !now.lastModifiedTime().equals(before.lastModifiedTime())) {
            throw new IOException(source + " changed while it was being encrypted; run again when nothing writes it");
        }
    }

    /** Decrypts {@code written} and compares it, byte for byte, with {@code source}. */
    private static void checkReadsBack(Path written, MasterKey key, Path source) throws IOException {
        try (InputStream decrypted = EnvelopeReader.open(written, key).newInputStream();
             InputStream original = Files.newInputStream(source)) {
            byte[] a = new byte[BUFFER];
            byte[] b = new byte[BUFFER];
            while (true) {
                int n = decrypted.readNBytes(a, 0, a.length);
                int m = original.readNBytes(b, 0, b.length);
                if (n != m || !Arrays.equals(a, 0, n, b, 0, m)) {
                    throw new IOException("the encrypted copy of " + source + " does not read back as the original (a"
                            + " disk or memory fault?)");
                }
                if (n < a.length) {
                    return;
                }
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new EncryptionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void report(LongConsumer progress, long n) {
        if (progress != null) {
            progress.accept(n);
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static void zero(byte[] b) {
        Arrays.fill(b, (byte) 0);
    }

    private static EncryptionException exists(Path target) {
        return new EncryptionException(target + " already exists; it is never overwritten: choose another --out or"
                + " remove it");
    }

    private static EncryptionException failed(String what, Path source, Path out, IOException e) {
        return new EncryptionException("cannot " + what + " " + source + (out.equals(source) ? "" : " into " + out)
                + ": " + describe(e) + "; " + (out.equals(source) ? source + " is unchanged" : "nothing was written"), e);
    }

    static String describe(IOException e) {
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : String.valueOf(e.getMessage());
        if (reason.contains("No space left") || reason.contains("Disk quota exceeded")) {
            return "the disk is full (" + reason + "); free some space";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage() + "; check that the folder is writable";
        }
        if (e instanceof NoSuchFileException) {
            return e.getMessage() + " does not exist";
        }
        return reason;
    }
}
