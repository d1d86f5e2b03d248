package dev.hearth.guard.crypto;

import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Encrypting, decrypting and rotating every file of a folder (a dataset, a model, a checkpoint,
 * a run), file by file with {@link EncryptedFiles}. Files keep their names: an encrypted file is
 * known by the magic it starts with, so the folder still loads where it did (docs/encryption.md).
 *
 * <p>In place, each file is replaced all or nothing, and files already in the wanted state are
 * skipped, so an interrupted run is finished by running it again. Decrypting and rotating first
 * check that every encrypted file is under the key given, so a wrong key changes nothing. Into
 * {@code out}, the whole result is built in a temporary folder beside it and renamed into place
 * at the end. A symbolic link anywhere in the folder is refused before anything is done (the
 * file behind it would stay plain), and so is a whole workspace (its SQLite store must stay plain).
 */
public final class EncryptedFolders {
    private EncryptedFolders() {}

    /** The workspace's SQLite store (and its -wal and -shm files), never encrypted. */
    private static final String STORE_FILE = "hearth.db";

    /**
     * The regular files under {@code dir}, in path order, leaving out temporary files of
     * unfinished writes.
     *
     * @throws EncryptionException when {@code dir} is not a folder or holds a symbolic link
     */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new EncryptionException(dir + " is not a folder" + (Files.isSymbolicLink(dir)
                    ? " but a symbolic link; give the folder it points to" : ""));
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.comparing(Path::toString))::iterator) {
                if (Files.isSymbolicLink(p)) {
                    throw new EncryptionException(p + " is a symbolic link; nothing was done. Replace it with the file"
                            + " it points to (or copy the folder with cp -rL), so that no plain copy stays behind it");
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || AtomicWrite.isTemporary(p)) {
                    continue;
                }
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new EncryptionException(p + " is not a regular file; nothing was done");
                }
                files.add(p);
            }
        } catch (IOException e) {
            throw new EncryptionException("cannot list " + dir + ": " + EncryptedFiles.describe(e), e);
        }
        return files;
    }

    /** The bytes of all {@link #files} of {@code dir}, as stored (for a progress total). */
    public static long storedBytes(Path dir) {
        long sum = 0;
        for (Path f : files(dir)) {
            try {
                sum += Files.size(f);
            } catch (IOException e) {
                throw new EncryptionException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return sum;
    }

    /** Encrypts every plain file of {@code dir} under {@code key}: in place, or into the new folder {@code out}. */
    public static List<FileResult> encrypt(Path dir, Path out, MasterKey key, LongConsumer progress) {
        return encrypt(dir, out, key, EnvelopeHeader.DEFAULT_SEGMENT_SIZE, progress);
    }

    static List<FileResult> encrypt(Path dir, Path out, MasterKey key, int segmentSize, LongConsumer progress) {
        List<Path> files = files(dir);
        for (Path f : files) {
            if (f.getFileName().toString().startsWith(STORE_FILE)) {
                throw new EncryptionException(dir + " holds " + dir.relativize(f) + ", the store of a Hearth workspace,"
                        + " which SQLite must read as it is; nothing was done. Encrypt the workspace's datasets/,"
                        + " models/ and runs/ folders instead");
            }
        }
        return run("encrypt", dir, out, files, (file, target) -> {
            FileResult r = EncryptedFiles.encrypt(file, target, key, segmentSize, progress);
            if (r.action() == FileResult.Action.ALREADY_ENCRYPTED && target != null) {
                copy(file, target, progress);
                return new FileResult(file, target, r.action(), r.plainBytes(), r.keyId());
            }
            return r;
        });
    }

    /**
     * Decrypts every encrypted file of {@code dir} with {@code key}: in place, or into the new
     * folder {@code out} (plain files are copied as they are).
     *
     * @throws KeyException before anything is changed when a file is under another key
     */
    public static List<FileResult> decrypt(Path dir, Path out, MasterKey key, LongConsumer progress) {
        List<Path> files = files(dir);
        checkKeys(files, key, null);
        return run("decrypt", dir, out, files, (file, target) -> {
            FileResult r = EncryptedFiles.decrypt(file, target, key, progress);
            if (r.action() == FileResult.Action.NOT_ENCRYPTED && target != null) {
                copy(file, target, progress);
                return new FileResult(file, target, r.action(), r.plainBytes(), null);
            }
            return r;
        });
    }

    /**
     * Re-wraps the data key of every encrypted file of {@code dir} from {@code from} to {@code to},
     * in place; the encrypted data is not touched.
     *
     * @throws KeyException before anything is changed when a file is under neither key
     */
    public static List<FileResult> rotate(Path dir, MasterKey from, MasterKey to) {
        List<Path> files = files(dir);
        checkKeys(files, from, to);
        return run("rotate", dir, null, files, (file, target) -> EncryptedFiles.rotate(file, from, to));
    }

    // ---------------------------------------------------------------- helpers

    private interface Step {
        FileResult apply(Path file, Path target);
    }

    /** Applies {@code step} to each file, in place or into a temporary folder renamed to {@code out} at the end. */
    private static List<FileResult> run(String what, Path dir, Path out, List<Path> files, Step step) {
        if (out == null) {
            List<FileResult> results = new ArrayList<>();
            for (Path f : files) {
                try {
                    results.add(step.apply(f, null));
                } catch (HearthException e) {
                    if (results.stream().noneMatch(r -> r.action().changed())) {
                        throw e;
                    }
                    long done = results.stream().filter(r -> r.action().changed()).count();
                    throw new EncryptionException(e.getMessage() + ". " + done + " of the " + files.size() + " files of "
                            + dir + " were done before it and the rest are as they were; deal with it, then run '" + what
                            + "' again to finish (files done are skipped)", e);
                }
            }
            return results;
        }
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new EncryptionException(out + " already exists; it is never overwritten: choose another --out or"
                    + " remove it");
        }
        Path abs = out.toAbsolutePath();
        if (abs.startsWith(dir.toAbsolutePath())) {
            throw new EncryptionException(out + " is inside " + dir + "; choose an --out outside the folder");
        }
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + AtomicWrite.TEMP_SUFFIX);
        boolean moved = false;
        try {
            Files.createDirectories(tmp);
            List<FileResult> results = new ArrayList<>();
            for (Path f : files) {
                Path rel = dir.relativize(f);
                FileResult r = step.apply(f, tmp.resolve(rel.toString()));
                results.add(new FileResult(r.file(), abs.resolve(rel.toString()), r.action(), r.plainBytes(),
                        r.keyId()));
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs);
            }
            moved = true;
            AtomicWrite.syncFolder(abs.getParent());
            return results;
        } catch (IOException e) {
            throw new EncryptionException("cannot " + what + " " + dir + " into " + out + ": "
                    + EncryptedFiles.describe(e) + "; nothing was written", e);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Every encrypted file must be under {@code key} (or {@code alsoOk}); checked on headers before any change. */
    private static void checkKeys(List<Path> files, MasterKey key, MasterKey alsoOk) {
        for (Path f : files) {
            if (!EncryptedFiles.isEncrypted(f)) {
                continue;
            }
            String id = EncryptedFiles.info(f).keyId();
            if (alsoOk != null && id.equals(alsoOk.id())) {
                continue;
            }
            if (!id.equals(key.id())) {
                throw new KeyException(f + " is encrypted under the master key with id " + id + ", but the key given"
                        + " has id " + key.id() + (alsoOk == null ? "" : " (and the new key " + alsoOk.id() + ")")
                        + ": give the key with id " + id + "; nothing was changed");
            }
        }
    }

    private static void copy(Path from, Path to, LongConsumer progress) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            if (progress != null) {
                progress.accept(Files.size(to));
            }
        } catch (IOException e) {
            throw new EncryptionException("cannot copy " + from + " to " + to + ": " + EncryptedFiles.describe(e), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the failure being reported matters more
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }
}
