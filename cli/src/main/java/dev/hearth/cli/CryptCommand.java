package dev.hearth.cli;

import dev.hearth.guard.crypto.EncryptedFiles;
import dev.hearth.guard.crypto.EncryptedFolders;
import dev.hearth.guard.crypto.EnvelopeInfo;
import dev.hearth.guard.crypto.FileResult;
import dev.hearth.guard.crypto.KeyException;
import dev.hearth.guard.crypto.MasterKey;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hearth crypt}: encryption at rest of datasets, checkpoints and model folders
 * (docs/encryption.md). Files keep their names; an encrypted one starts with a magic that every
 * reader in Hearth recognises, and it loads wherever the plain one did when the key is set.
 */
@Command(name = "crypt", mixinStandardHelpOptions = true,
        description = {"Encryption at rest (AES-256-GCM, a data key per file wrapped by a master key) of datasets,",
            "checkpoints and model folders. Encrypted files keep their names and load as before when",
            "HEARTH_MASTER_KEY or HEARTH_KEY_FILE holds the key. See docs/encryption.md."},
        subcommands = {CryptCommand.Keygen.class, CryptCommand.Encrypt.class, CryptCommand.Decrypt.class,
            CryptCommand.Rotate.class, CryptCommand.Info.class})
final class CryptCommand implements Runnable {

    /** Jobs from this size on show progress. */
    private static final long PROGRESS_FROM_BYTES = 64L << 20;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: keygen, encrypt, decrypt, rotate, info");
    }

    /** The key from --key-file, else hearth.key.file, HEARTH_MASTER_KEY or HEARTH_KEY_FILE. */
    static MasterKey key(Path keyFile, String forWhat) {
        if (keyFile != null) {
            return MasterKey.read(keyFile);
        }
        return MasterKey.fromEnvironment().orElseThrow(() -> new KeyException(forWhat + " needs the master key: pass"
                + " --key-file FILE, or set " + MasterKey.ENV + " (the key as base64) or " + MasterKey.FILE_ENV
                + " (its file). Make one with 'hearth crypt keygen --out FILE'"));
    }

    /** The key file named by hearth.key.file or HEARTH_KEY_FILE, if any. */
    private static Path keyFileInUse() {
        String p = System.getProperty(MasterKey.FILE_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(MasterKey.FILE_ENV);
        }
        return p == null || p.isBlank() ? null : Path.of(p.strip());
    }

    private static String folderWhere(Path path, Path out) {
        return out == null ? " in " + path + " in place" : " from " + path + " into " + out;
    }

    static boolean isFolder(Path path) {
        if (Files.isSymbolicLink(path) && Files.isDirectory(path)) {
            return true;    // EncryptedFolders refuses it with the reason
        }
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", n / 1e9);
    }

    /** Runs a job over {@code total} bytes, with a progress display when it is large. */
    private static <T> T withProgress(PrintWriter out, String task, long total, java.util.function.Function<LongConsumer,
            T> job) {
        if (total < PROGRESS_FROM_BYTES) {
            return job.apply(null);
        }
        Progress progress = new Progress(out, 1);
        progress.begin(task, total, " MB", 1_000_000);
        AtomicLong done = new AtomicLong();
        try {
            return job.apply(n -> progress.update(done.addAndGet(n)));
        } finally {
            progress.done();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** One line per file of a folder, then a summary counting each action. */
    private static void report(PrintWriter out, Path root, List<FileResult> results, String done, String keyNote) {
        int width = results.stream().mapToInt(r -> root.relativize(r.file()).toString().length()).max().orElse(0);
        Map<FileResult.Action, Integer> counts = new TreeMap<>();
        long plain = 0;
        for (FileResult r : results) {
            counts.merge(r.action(), 1, Integer::sum);
            if (r.action().changed()) {
                plain += r.plainBytes();
            }
            out.printf("  %-" + Math.max(width, 1) + "s  %10s  %s%n", root.relativize(r.file()), bytes(r.plainBytes()),
                    r.action().words());
        }
        int changed = results.stream().filter(r -> r.action().changed()).mapToInt(r -> 1).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %d of %d files (%s)%s", done, changed,
                results.size(), bytes(plain), keyNote));
        counts.forEach((action, n) -> {
            if (!action.changed()) {
                sb.append("; ").append(n).append(' ').append(action.words());
            }
        });
        out.println(sb);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Make a new random 256-bit master key and write it to a new file readable by you only.")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "The key file to write (never overwritten).")
        Path out;

        @Override
        public Integer call() {
            MasterKey key = MasterKey.generate();
            key.write(out);
            PrintWriter o = spec.commandLine().getOut();
            o.printf("wrote %s: master key %s (base64, readable by its owner only)%n", out, key.id());
            o.printf("use it with --key-file %s or HEARTH_KEY_FILE=%s; keep a copy apart from the data:%n", out, out);
            o.println("what is encrypted under it cannot be read without it");
            return 0;
        }
    }

    @Command(name = "encrypt", mixinStandardHelpOptions = true,
            description = {"Encrypt a file, or every file of a folder (a dataset, model or checkpoint), in place",
                "unless --out is given. Names are kept; files already encrypted are left as they are."})
    static final class Encrypt implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A file or a folder.")
        Path path;

        @Option(names = "--out", paramLabel = "PATH", description = "Write the encrypted copy here (must not exist)"
                + " and leave PATH as it is.")
        Path out;

        @Option(names = "--key-file", paramLabel = "FILE",
                description = "The master key (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
        Path keyFile;

        @Override
        public Integer call() {
            MasterKey key = key(keyFile, "hearth crypt encrypt");
            PrintWriter o = spec.commandLine().getOut();
            String where = out == null ? " in place" : " into " + out;
            Path usedKeyFile = keyFile != null ? keyFile : keyFileInUse();
            if (out == null && usedKeyFile != null && usedKeyFile.toAbsolutePath().normalize()
                    .startsWith(path.toAbsolutePath().normalize())) {
                throw new ParameterException(spec.commandLine(), "the key file " + usedKeyFile + " is inside " + path
                        + ": it would be encrypted under itself and lost. Move it elsewhere first");
            }
            if (isFolder(path)) {
                List<FileResult> results = withProgress(o, "encrypt", EncryptedFolders.storedBytes(path),
                        p -> EncryptedFolders.encrypt(path, out, key, p));
                report(o, path, results, "encrypted", folderWhere(path, out) + " under master key " + key.id());
                return 0;
            }
            FileResult r = withProgress(o, "encrypt", size(path), p -> EncryptedFiles.encrypt(path, out, key, p));
            if (r.action() == FileResult.Action.ALREADY_ENCRYPTED) {
                o.printf("%s is already encrypted (under master key %s); left as it is%n", path, r.keyId());
            } else {
                o.printf("encrypted %s (%s)%s under master key %s%n", path, bytes(r.plainBytes()), where, key.id());
            }
            return 0;
        }
    }

    @Command(name = "decrypt", mixinStandardHelpOptions = true,
            description = {"Decrypt a file, or every encrypted file of a folder, in place unless --out is given.",
                "Each segment is verified before it is written; a wrong key or a changed file changes nothing."})
    static final class Decrypt implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A file or a folder.")
        Path path;

        @Option(names = "--out", paramLabel = "PATH", description = "Write the plain copy here (must not exist) and"
                + " leave PATH as it is.")
        Path out;

        @Option(names = "--key-file", paramLabel = "FILE",
                description = "The master key (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
        Path keyFile;

        @Override
        public Integer call() {
            MasterKey key = key(keyFile, "hearth crypt decrypt");
            PrintWriter o = spec.commandLine().getOut();
            String where = out == null ? " in place" : " into " + out;
            if (isFolder(path)) {
                List<FileResult> results = withProgress(o, "decrypt", EncryptedFolders.storedBytes(path),
                        p -> EncryptedFolders.decrypt(path, out, key, p));
                report(o, path, results, "decrypted", folderWhere(path, out));
                return 0;
            }
            FileResult r = withProgress(o, "decrypt", size(path), p -> EncryptedFiles.decrypt(path, out, key, p));
            if (r.action() == FileResult.Action.NOT_ENCRYPTED) {
                o.printf("%s is not encrypted; left as it is%n", path);
            } else {
                o.printf("decrypted %s (%s)%s%n", path, bytes(r.plainBytes()), where);
            }
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Re-wrap the data key of a file, or of every encrypted file of a folder, under a new master",
                "key. Only the 68-byte key slot of each header is rewritten; the encrypted data is not touched."})
    static final class Rotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A file or a folder.")
        Path path;

        @Option(names = "--new-key-file", required = true, paramLabel = "FILE", description = "The new master key.")
        Path newKeyFile;

        @Option(names = "--key-file", paramLabel = "FILE",
                description = "The old master key (default: $HEARTH_MASTER_KEY or the file $HEARTH_KEY_FILE).")
        Path keyFile;

        @Override
        public Integer call() {
            MasterKey from = key(keyFile, "hearth crypt rotate");
            MasterKey to = MasterKey.read(newKeyFile);
            PrintWriter o = spec.commandLine().getOut();
            String keys = " from master key " + from.id() + " to " + to.id();
            if (isFolder(path)) {
                report(o, path, EncryptedFolders.rotate(path, from, to), "rotated", " in " + path + keys
                        + " (headers rewritten, data untouched)");
                return 0;
            }
            FileResult r = EncryptedFiles.rotate(path, from, to);
            switch (r.action()) {
                case NOT_ENCRYPTED -> o.printf("%s is not encrypted; left as it is%n", path);
                case ALREADY_ROTATED -> o.printf("%s is already under master key %s; left as it is%n", path, to.id());
                default -> o.printf("rotated %s%s (header rewritten, data untouched)%n", path, keys);
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Show whether a file, or each file of a folder, is encrypted, and under which key. Needs no key.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "A file or a folder.")
        Path path;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            List<Path> files = isFolder(path) ? EncryptedFolders.files(path) : List.of(path);
            Path root = (isFolder(path) ? path : path.toAbsolutePath().getParent()).toAbsolutePath();
            int width = files.stream().mapToInt(f -> root.relativize(f.toAbsolutePath()).toString().length()).max()
                    .orElse(1);
            int encrypted = 0;
            for (Path f : files) {
                String name = root.relativize(f.toAbsolutePath()).toString();
                if (EncryptedFiles.isEncrypted(f)) {
                    encrypted++;
                    EnvelopeInfo i = EncryptedFiles.info(f);
                    o.printf("  %-" + width + "s  %10s  encrypted, master key %s, %d segment%s of %s%n", name,
                            bytes(i.plainSize()), i.keyId(), i.segments(), i.segments() == 1 ? "" : "s",
                            i.segmentSize() % (1 << 20) == 0 ? (i.segmentSize() >> 20) + " MiB"
                                    : (i.segmentSize() >> 10) + " KiB");
                } else {
                    o.printf("  %-" + width + "s  %10s  plain%n", name, bytes(size(f)));
                }
            }
            o.printf("%d of %d files encrypted%n", encrypted, files.size());
            return 0;
        }
    }
}
