package dev.hearth.lab.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Holds one document's ids until its end is known ({@link SplitMode#TAIL} needs the count before
 * it can divide them): in memory up to {@link #MEMORY_IDS} ids, beyond that in a temporary file
 * in the dataset folder, so a document larger than memory still works.
 */
final class TokenSpool implements AutoCloseable {
    static final int MEMORY_IDS = 1 << 22;

    private final Path file;
    private int[] memory = new int[1 << 16];
    private int inMemory;
    private FileChannel channel;
    private final ByteBuffer io = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private long onDisk;

    TokenSpool(Path file) {
        this.file = file;
    }

    void add(int[] ids) throws IOException {
        for (int id : ids) {
            if (inMemory == MEMORY_IDS) {
                spill();
            }
            if (inMemory == memory.length) {
                memory = Arrays.copyOf(memory, Math.min(MEMORY_IDS, memory.length * 2));
            }
            memory[inMemory++] = id;
        }
    }

    long size() {
        return onDisk + inMemory;
    }

    /** Writes the first {@code first} ids to {@code a} and the rest to {@code b}, then empties the spool. */
    void drain(long first, ShardWriter a, ShardWriter b) throws IOException {
        long position = 0;
        if (onDisk > 0) {
            int[] ids = new int[io.capacity() / 4];
            channel.position(0);
            while (position < onDisk) {
                io.clear();
                io.limit((int) Math.min(io.capacity(), (onDisk - position) * 4));
                while (io.hasRemaining()) {
                    if (channel.read(io) < 0) {
                        throw new IOException(file + " ended early");
                    }
                }
                io.flip();
                int n = io.limit() / 4;
                io.asIntBuffer().get(ids, 0, n);
                split(ids, n, position, first, a, b);
                position += n;
            }
            channel.truncate(0);
            onDisk = 0;
        }
        split(memory, inMemory, position, first, a, b);
        inMemory = 0;
        if (memory.length > 1 << 16) {
            memory = new int[1 << 16];
        }
    }

    /** Writes {@code ids[0, n)}, which sit at {@code position} of the document, to a before {@code first}, else to b. */
    private static void split(int[] ids, int n, long position, long first, ShardWriter a, ShardWriter b)
            throws IOException {
        int toA = (int) Math.max(0, Math.min(n, first - position));
        a.write(ids, 0, toA);
        b.write(ids, toA, n);
    }

    private void spill() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        channel.position(onDisk * 4);
        for (int i = 0; i < inMemory; ) {
            io.clear();
            while (io.remaining() >= 4 && i < inMemory) {
                io.putInt(memory[i++]);
            }
            io.flip();
            while (io.hasRemaining()) {
                channel.write(io);
            }
        }
        onDisk += inMemory;
        inMemory = 0;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        Files.deleteIfExists(file);
    }
}
