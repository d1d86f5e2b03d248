package dev.hearth.bench;

import dev.hearth.guard.crypto.EncryptedFiles;
import dev.hearth.guard.crypto.EnvelopeOutputStream;
import dev.hearth.guard.crypto.EnvelopeReader;
import dev.hearth.guard.crypto.MasterKey;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;

/**
 * Encryption-at-rest throughput on one file of random bytes (512 MiB by default) in a scratch
 * folder, page cache warm, one thread: AES-256-GCM sealing in memory, encrypting file to file,
 * decrypting into memory (how encrypted models and datasets load), decrypting file to file,
 * encrypting in place (which also decrypts the result once to check it), and rotating. A plain
 * file copy is the reference for the disk. Best of three after one warm-up run. A plain main,
 * not a test; run it with {@code bench/crypt.sh}. Writes include their fsync, as the commands do.
 */
public final class CryptThroughput {
    private CryptThroughput() {}

    private interface Job {
        void run() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir")).resolve(
                "hearth-crypt-bench");
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 512;
        long bytes = mib << 20;
        Files.createDirectories(dir);
        Path plain = dir.resolve("plain.bin");
        Path sealed = dir.resolve("sealed.bin");
        Path back = dir.resolve("back.bin");
        Path copy = dir.resolve("copy.bin");
        System.out.printf(Locale.ROOT, "file: %d MiB of random bytes in %s; %s, %d cores%n", mib, dir,
                System.getProperty("java.vm.name") + " " + Runtime.version(), Runtime.getRuntime().availableProcessors());
        try {
            writeRandom(plain, bytes);
            MasterKey key = MasterKey.generate();
            MasterKey next = MasterKey.generate();

            report("copy + fsync (reference)", bytes, () -> {
                Files.copy(plain, copy, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            });
            byte[] chunk = new byte[1 << 20];
            new Random(2).nextBytes(chunk);
            report("seal in memory (no disk)", bytes, () -> {
                try (OutputStream out = new EnvelopeOutputStream(OutputStream.nullOutputStream(), key)) {
                    for (long done = 0; done < bytes; done += chunk.length) {
                        out.write(chunk);
                    }
                }
            });
            report("encrypt file to file", bytes, () -> {
                Files.deleteIfExists(sealed);
                EncryptedFiles.encrypt(plain, sealed, key, null);
            });
            report("decrypt into memory (loading)", bytes, () -> {
                try (EnvelopeReader r = EnvelopeReader.open(sealed, key); Arena arena = Arena.ofConfined()) {
                    MemorySegment m = arena.allocate(r.plainSize(), 64);
                    r.readAll(m);
                }
            });
            report("decrypt file to file", bytes, () -> {
                Files.deleteIfExists(back);
                EncryptedFiles.decrypt(sealed, back, key, null);
            });
            report("encrypt in place, checked", bytes, () -> {
                Files.copy(plain, copy, StandardCopyOption.REPLACE_EXISTING);
                EncryptedFiles.encrypt(copy, null, key, null);
            });
            long t = System.nanoTime();
            EncryptedFiles.rotate(sealed, key, next);
            EncryptedFiles.rotate(sealed, next, key);
            System.out.printf(Locale.ROOT, "%-32s %8.2f ms per file, whatever its size%n", "rotate (re-wrap the key)",
                    (System.nanoTime() - t) / 2e6);
        } finally {
            for (Path p : new Path[] {plain, sealed, back, copy}) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[1 << 20];
        Random r = new Random(1);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += chunk.length) {
                r.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    private static void report(String what, long bytes, Job job) throws IOException {
        job.run(); // warm-up: JIT, page cache
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            job.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%-32s %8.0f MB/s  (%.2f s)%n", what, bytes / 1e6 / best, best);
    }
}
