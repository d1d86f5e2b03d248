package dev.hearth.guard.crypto;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * An encrypted file opened for reading with its master key: any segment can be decrypted on its
 * own (random access), and each is verified before any of its bytes are handed out. The number
 * of segments, and so the plain size, follows from the file's size; a file cut short or extended
 * fails the last segment's check. Not thread-safe; {@link #close} closes the file.
 */
public final class EnvelopeReader implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final EnvelopeInfo info;
    private final SegmentCipher cipher;
    private final ByteBuffer sealed;

    private EnvelopeReader(Path file, FileChannel channel, EnvelopeInfo info, SegmentCipher cipher) {
        this.file = file;
        this.channel = channel;
        this.info = info;
        this.cipher = cipher;
        this.sealed = ByteBuffer.allocate(info.segmentSize() + EnvelopeHeader.TAG_BYTES);
    }

    /**
     * Opens {@code file} with {@code key}.
     *
     * @throws KeyException when the file is encrypted under another master key
     * @throws IntegrityException when its header was modified or its size does not fit the format
     * @throws EncryptionException when it is not an encrypted file
     */
    public static EnvelopeReader open(Path file, MasterKey key) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            EnvelopeHeader header = readHeader(ch, file);
            EnvelopeInfo info = layout(header, ch.size(), file);
            byte[] dataKey = header.dataKey(key, file);
            try {
                return new EnvelopeReader(file, ch, info, new SegmentCipher(dataKey, header));
            } finally {
                Arrays.fill(dataKey, (byte) 0);
            }
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
    }

    /** What {@code file}'s header and size say; needs no key. */
    public static EnvelopeInfo inspect(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return layout(readHeader(ch, file), ch.size(), file);
        }
    }

    static EnvelopeHeader readHeader(FileChannel ch, Path file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(EnvelopeHeader.SIZE);
        while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
            // positional reads of a regular file fill the buffer unless it ends first
        }
        return EnvelopeHeader.parse(Arrays.copyOf(head.array(), head.position()), file);
    }

    /** The segments the file's size implies: all full but the last, which holds 1..segmentSize bytes (0 if empty). */
    private static EnvelopeInfo layout(EnvelopeHeader header, long fileSize, Path file) {
        int segmentSize = header.segmentSize();
        long body = fileSize - EnvelopeHeader.SIZE;
        long sealedSize = segmentSize + (long) EnvelopeHeader.TAG_BYTES;
        if (body < EnvelopeHeader.TAG_BYTES) {
            throw EnvelopeHeader.corrupt(file, "it ends after " + fileSize + " bytes, before its first segment does:"
                    + " it was cut short");
        }
        long full = body / sealedSize;
        long rest = body % sealedSize;
        long segments;
        long last;
        if (rest == 0) {
            segments = full;
            last = segmentSize;
        } else if (rest < EnvelopeHeader.TAG_BYTES) {
            throw EnvelopeHeader.corrupt(file, "its size, " + fileSize + " bytes, ends inside a segment's tag: it was"
                    + " cut short or extended");
        } else {
            segments = full + 1;
            last = rest - EnvelopeHeader.TAG_BYTES;
        }
        if (segments > SegmentCipher.MAX_SEGMENTS) {
            throw EnvelopeHeader.corrupt(file, "it would hold more than 2^32 segments");
        }
        long plain = (segments - 1) * segmentSize + last;
        return new EnvelopeInfo(file, header.keyId(), segmentSize, segments, plain, fileSize);
    }

    public EnvelopeInfo info() {
        return info;
    }

    public long plainSize() {
        return info.plainSize();
    }

    /** Plain bytes in segment {@code index}. */
    int plainLength(long index) {
        Objects.checkIndex(index, info.segments());
        return index == info.segments() - 1
                ? (int) (info.plainSize() - (info.segments() - 1) * info.segmentSize())
                : info.segmentSize();
    }

    /**
     * Decrypts segment {@code index} into {@code out} (which must have room for it) and returns
     * its plain length.
     *
     * @throws IntegrityException when the segment fails its check
     */
    public int read(long index, ByteBuffer out) throws IOException {
        int plain = plainLength(index);
        long at = EnvelopeHeader.SIZE + index * (info.segmentSize() + (long) EnvelopeHeader.TAG_BYTES);
        sealed.clear().limit(plain + EnvelopeHeader.TAG_BYTES);
        while (sealed.hasRemaining()) {
            if (channel.read(sealed, at + sealed.position()) < 0) {
                throw new EOFException(file + " became shorter while it was read");
            }
        }
        sealed.flip();
        cipher.open(index, index == info.segments() - 1, sealed, out, file, info.segments());
        return plain;
    }

    /** Decrypts the whole file into {@code into}, which must hold at least {@link #plainSize()} bytes. */
    public void readAll(MemorySegment into) throws IOException {
        if (into.byteSize() < info.plainSize()) {
            throw new IllegalArgumentException("memory of " + into.byteSize() + " bytes cannot hold the "
                    + info.plainSize() + " plain bytes of " + file);
        }
        for (long i = 0; i < info.segments(); i++) {
            read(i, into.asSlice(i * info.segmentSize(), plainLength(i)).asByteBuffer());
        }
    }

    /** The plain bytes from the start, as a stream that closes this reader when it is closed. */
    public InputStream newInputStream() {
        return new PlainStream();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private final class PlainStream extends InputStream {
        private final ByteBuffer plain = ByteBuffer.allocate(info.segmentSize()).limit(0);
        private long next;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (!plain.hasRemaining()) {
                if (next == info.segments()) {
                    return -1;
                }
                plain.clear();
                EnvelopeReader.this.read(next++, plain);
                plain.flip();
            }
            int n = Math.min(len, plain.remaining());
            plain.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return plain.remaining();
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(plain.array(), (byte) 0);
            plain.limit(0);
            next = info.segments();
            EnvelopeReader.this.close();
        }
    }
}
