package dev.hearth.guard.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts what is written to it into the encrypted-file format ({@link EnvelopeHeader}), in
 * constant memory: a fresh random data key, wrapped under the master key in the header, then
 * the bytes in sealed segments. A segment is sealed once the next byte arrives (so that the last
 * one is known to be last), and {@link #finish} seals the last. Not thread-safe.
 */
public final class EnvelopeOutputStream extends OutputStream {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OutputStream out;
    private final SegmentCipher cipher;
    private final byte[] pending;       // plain bytes of the segment being filled
    private final byte[] sealed;        // one sealed segment
    private int filled;
    private long index;
    private long plainBytes;
    private boolean finished;

    /** Writes to {@code out} under {@code key}, in segments of 1 MiB. */
    public EnvelopeOutputStream(OutputStream out, MasterKey key) throws IOException {
        this(out, key, EnvelopeHeader.DEFAULT_SEGMENT_SIZE);
    }

    /** As {@link #EnvelopeOutputStream(OutputStream, MasterKey)}, with segments of {@code segmentSize} bytes. */
    public EnvelopeOutputStream(OutputStream out, MasterKey key, int segmentSize) throws IOException {
        this.out = Objects.requireNonNull(out);
        byte[] dataKey = new byte[EnvelopeHeader.DATA_KEY_BYTES];
        RANDOM.nextBytes(dataKey);
        try {
            EnvelopeHeader header = EnvelopeHeader.create(segmentSize, dataKey, key);
            this.cipher = new SegmentCipher(dataKey, header);
            out.write(header.bytes());
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
        this.pending = new byte[segmentSize];
        this.sealed = new byte[segmentSize + EnvelopeHeader.TAG_BYTES];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (finished) {
            throw new IOException("the encrypted stream was already finished");
        }
        while (len > 0) {
            if (filled == pending.length) {
                seal(false);            // more bytes follow, so this segment is not the last
            }
            int n = Math.min(len, pending.length - filled);
            System.arraycopy(b, off, pending, filled, n);
            filled += n;
            off += n;
            len -= n;
            plainBytes += n;
        }
    }

    /** Seals the last segment (empty when nothing was written) without closing the stream beneath. */
    public void finish() throws IOException {
        if (!finished) {
            seal(true);
            finished = true;
            Arrays.fill(pending, (byte) 0);
        }
    }

    /** The plain bytes written so far. */
    public long plainBytes() {
        return plainBytes;
    }

    /** Finishes, then closes the stream beneath. */
    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            out.close();
        }
    }

    private void seal(boolean last) throws IOException {
        if (index >= SegmentCipher.MAX_SEGMENTS) {
            throw new IOException("the file is too large for the encrypted-file format (2^32 segments of "
                    + pending.length + " bytes)");
        }
        ByteBuffer dst = ByteBuffer.wrap(sealed);
        cipher.seal(index, last, ByteBuffer.wrap(pending, 0, filled), dst);
        out.write(sealed, 0, dst.position());
        index++;
        filled = 0;
    }
}
