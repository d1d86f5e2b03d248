package dev.hearth.guard.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file all or nothing: into a temporary file beside the target (".NAME.HEX.crypt-tmp",
 * with the permissions of the file it is made from), forced to disk, checked, and only then
 * renamed over the target. An interruption leaves the target as it was and, at worst, a
 * temporary file that folder walks skip.
 */
final class AtomicWrite {
    private AtomicWrite() {}

    static final String TEMP_SUFFIX = ".crypt-tmp";

    interface Body {
        void write(OutputStream out) throws IOException;
    }

    interface Check {
        void check(Path written) throws IOException;
    }

    /** Whether {@code file} is a temporary file of an unfinished write. */
    static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /**
     * Writes {@code target} with {@code body}; {@code check} sees the written file before it
     * replaces the target. Without {@code replace} an existing target is an error.
     */
    static void write(Path target, Path permissionsFrom, boolean replace, Body body, Check check) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (!replace && Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Files.createDirectories(dir);
        Path temp = createTemp(dir, abs.getFileName().toString());
        boolean moved = false;
        try {
            Set<PosixFilePermission> permissions = permissionsOf(permissionsFrom);
            if (permissions != null) {       // while writing: no more readable than the source, but writable by us
                Set<PosixFilePermission> writing = EnumSet.noneOf(PosixFilePermission.class);
                writing.addAll(permissions);
                writing.add(PosixFilePermission.OWNER_READ);
                writing.add(PosixFilePermission.OWNER_WRITE);
                Files.setPosixFilePermissions(temp, writing);
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                body.write(out);
                out.flush();
                ch.force(true);
            }
            check.check(temp);
            if (permissions != null) {
                Files.setPosixFilePermissions(temp, permissions);
            }
            if (!replace && Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            try {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
        syncFolder(dir);
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + TEMP_SUFFIX);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** The POSIX permissions of {@code from} (which the written file gets), or null where there are none. */
    private static Set<PosixFilePermission> permissionsOf(Path from) throws IOException {
        if (from != null && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.getPosixFilePermissions(from);
        }
        return null;
    }

    /** Makes a rename durable where the platform allows syncing a folder (not Windows). */
    static void syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the file's own bytes were forced before the rename
        }
    }
}
