package dev.hearth.lab.data;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes one split's ids as shards {@code <split>-00000.bin}, {@code <split>-00001.bin}, ...:
 * raw little-endian {@code uint16} or {@code uint32}, at most {@code shardTokens} ids each. Each
 * shard is written under a temporary name and renamed when complete, with its SHA-256 computed
 * on the way. A split with no ids has no shard.
 */
final class ShardWriter implements AutoCloseable {
    private final Path dir;
    private final String split;
    private final int bytesPerToken;
    private final long shardTokens;
    private final int maxId;
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf = new byte[1 << 20];
    private int filled;
    private final List<DatasetManifest.Shard> shards = new ArrayList<>();

    private FileChannel channel;
    private Path tmp;
    private MessageDigest digest;
    private long inShard;
    private long tokens;

    ShardWriter(Path dir, String split, int bytesPerToken, long shardTokens, int vocabSize) {
        this.dir = dir;
        this.split = split;
        this.bytesPerToken = bytesPerToken;
        this.shardTokens = shardTokens;
        this.maxId = bytesPerToken == 2 ? Math.min(vocabSize - 1, 0xFFFF) : vocabSize - 1;
    }

    static String shardName(String split, int number) {
        return String.format(Locale.ROOT, "%s-%05d.bin", split, number);
    }

    void write(int id) throws IOException {
        write(new int[] {id}, 0, 1);
    }

    void write(int[] ids, int from, int to) throws IOException {
        int i = from;
        while (i < to) {
            if (inShard == shardTokens) {
                closeShard();
            }
            if (channel == null) {
                openShard();
            }
            int n = (int) Math.min(to - i, shardTokens - inShard);
            for (int k = i, end = i + n; k < end; ) {
                int room = (buf.length - filled) / bytesPerToken;
                if (room == 0) {
                    flush();
                    continue;
                }
                int m = Math.min(room, end - k);
                if (bytesPerToken == 2) {
                    for (int j = k; j < k + m; j++) {
                        int id = ids[j];
                        if ((id | (maxId - id)) < 0) {
                            throw outside(id);
                        }
                        SHORTS.set(buf, filled, (short) id);
                        filled += 2;
                    }
                } else {
                    for (int j = k; j < k + m; j++) {
                        int id = ids[j];
                        if ((id | (maxId - id)) < 0) {
                            throw outside(id);
                        }
                        INTS.set(buf, filled, id);
                        filled += 4;
                    }
                }
                k += m;
            }
            inShard += n;
            tokens += n;
            i += n;
        }
    }

    long tokens() {
        return tokens;
    }

    /** Completes the last shard and returns them all. */
    List<DatasetManifest.Shard> finish() throws IOException {
        if (channel != null) {
            closeShard();
        }
        return List.copyOf(shards);
    }

    private void openShard() throws IOException {
        tmp = dir.resolve(shardName(split, shards.size()) + ".tmp");
        channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        digest = Sha256.newDigest();
        inShard = 0;
    }

    private void flush() throws IOException {
        digest.update(buf, 0, filled);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, filled);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        filled = 0;
    }

    private IllegalStateException outside(int id) {
        return new IllegalStateException("id " + id + " is outside the vocabulary 0.." + maxId);
    }

    private void closeShard() throws IOException {
        flush();
        channel.close();
        channel = null;
        String name = shardName(split, shards.size());
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        shards.add(new DatasetManifest.Shard(name, inShard, Sha256.hex(digest)));
        tmp = null;
    }

    /** Abandons an unfinished shard (after a failure): closes and deletes its temporary file. */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            Files.deleteIfExists(tmp);
        }
    }
}
