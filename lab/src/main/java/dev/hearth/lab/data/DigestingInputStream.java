package dev.hearth.lab.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/** Passes bytes through while hashing and counting them, and tells a listener about every MiB or so read. */
final class DigestingInputStream extends FilterInputStream {
    private static final long REPORT_EVERY = 1 << 20;

    private final MessageDigest digest = Sha256.newDigest();
    private final LongConsumer progress;
    private long count;
    private long unreported;

    DigestingInputStream(InputStream in, LongConsumer progress) {
        super(in);
        this.progress = progress;
    }

    @Override
    public int read() throws IOException {
        int c = in.read();
        if (c >= 0) {
            digest.update((byte) c);
            counted(1);
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end, so that the digest covers the whole file. */
    void drain() throws IOException {
        byte[] scratch = new byte[1 << 16];
        while (read(scratch, 0, scratch.length) >= 0) {
            // hashing
        }
        flushProgress();
    }

    private void counted(int n) {
        count += n;
        unreported += n;
        if (unreported >= REPORT_EVERY) {
            flushProgress();
        }
    }

    private void flushProgress() {
        if (unreported > 0) {
            progress.accept(unreported);
            unreported = 0;
        }
    }

    long count() {
        return count;
    }

    String sha256() {
        return Sha256.hex(digest);
    }
}
