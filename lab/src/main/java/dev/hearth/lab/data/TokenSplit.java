package dev.hearth.lab.data;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * One split of a {@link TokenDataset}: its shards seen as one sequence of ids, positions from 0
 * to {@link #size()} - 1 ({@code long}, so past 2^31). Reads go straight to the memory-mapped
 * shards; any number of threads may read at once. Valid until its dataset is closed.
 */
public final class TokenSplit {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final MemorySegment[] shards;
    private final long[] starts;        // starts[i]: position of shard i's first id; starts[n] = size
    private final int bytesPerToken;
    private final long documents;

    TokenSplit(String name, List<MemorySegment> shards, List<Long> tokens, int bytesPerToken, long documents) {
        this.name = name;
        this.shards = shards.toArray(MemorySegment[]::new);
        this.starts = new long[shards.size() + 1];
        for (int i = 0; i < shards.size(); i++) {
            starts[i + 1] = starts[i] + tokens.get(i);
        }
        this.bytesPerToken = bytesPerToken;
        this.documents = documents;
    }

    /** {@code train} or {@code val}. */
    public String name() {
        return name;
    }

    /** The number of ids. */
    public long size() {
        return starts[starts.length - 1];
    }

    /** The documents with ids in this split, as the manifest records. */
    public long documents() {
        return documents;
    }

    /** The id at {@code position}. */
    public int get(long position) {
        checkRange(position, 1);
        int s = shardOf(position);
        long at = (position - starts[s]) * bytesPerToken;
        return bytesPerToken == 2 ? Short.toUnsignedInt(shards[s].get(U16, at)) : shards[s].get(U32, at);
    }

    /**
     * Copies ids {@code [position, position + length)} into {@code into[offset, offset + length)},
     * across shard boundaries.
     *
     * @throws IndexOutOfBoundsException when the range is outside the split or the array
     */
    public void read(long position, int[] into, int offset, int length) {
        checkRange(position, length);
        java.util.Objects.checkFromIndexSize(offset, length, into.length);
        int s = shardOf(position);
        int done = 0;
        while (done < length) {
            long local = position + done - starts[s];
            int n = (int) Math.min(length - done, starts[s + 1] - starts[s] - local);
            MemorySegment seg = shards[s];
            long at = local * bytesPerToken;
            if (bytesPerToken == 2) {
                for (int i = 0; i < n; i++) {
                    into[offset + done + i] = Short.toUnsignedInt(seg.get(U16, at + 2L * i));
                }
            } else {
                MemorySegment.copy(seg, U32, at, into, offset + done, n);
            }
            done += n;
            s++;
        }
    }

    private void checkRange(long position, long length) {
        if (position < 0 || length < 0 || position > size() - length) {
            throw new IndexOutOfBoundsException("positions " + position + ".." + (position + length - 1)
                    + " are outside the " + name + " split's " + size() + " ids");
        }
    }

    /** The shard holding {@code position}. */
    private int shardOf(long position) {
        int i = Arrays.binarySearch(starts, position);
        int s = i >= 0 ? i : -i - 2;
        while (s < shards.length - 1 && starts[s + 1] == position) {   // skip empty shards (none are written)
            s++;
        }
        return s;
    }

    @Override
    public String toString() {
        return "TokenSplit[" + name + ", " + size() + " ids in " + shards.length + " shard(s)]";
    }
}
