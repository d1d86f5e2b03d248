package dev.hearth.serve;

import dev.hearth.engine.nn.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys and values of prompt prefixes a model has read, kept in blocks of {@link #BLOCK} tokens,
 * so that a later prompt starting with the same tokens (a system prompt, a chat template's
 * opening, the same question again) copies them into its caches instead of reading them: vLLM's
 * automatic prefix caching, for the per-sequence caches of continuous batching.
 *
 * <p>A block is found by its own tokens and every token before it: the blocks form a tree whose
 * children are keyed by their tokens (compared, not hashed, so two prefixes never collide).
 * Only whole blocks are kept, and a prompt always reads at least its last token, whose logits
 * choose the first new one. Past the byte budget the least recently used block without children
 * goes first; a prefix is marked used after its extensions, so it outlives them.
 *
 * <p>Copying a prefix gives the bits of reading it: a served prompt is read token by token's way
 * ({@code LanguageModel.forwardLast} on rows), from empty caches or from a prefix, so a request
 * gets the same tokens whether its prefix was cached or not. Only the model's thread uses it.
 */
final class PrefixCache {
    /** Tokens per block, as vLLM's default block size. */
    static final int BLOCK = 16;

    private final long budget;
    private volatile long bytes;
    private final Node root = new Node(null, null, List.of());
    /** Every block, least recently used first. */
    private final LinkedHashMap<Node, Node> recency = new LinkedHashMap<>(64, 0.75f, true);

    private static final class Node {
        final Node parent;
        final Block key;
        final List<KvCache> layers;               // one cache of BLOCK positions per layer
        final Map<Block, Node> children = new HashMap<>();

        Node(Node parent, Block key, List<KvCache> layers) {
            this.parent = parent;
            this.key = key;
            this.layers = layers;
        }

        long bytes() {
            return layers.stream().mapToLong(KvCache::bytes).sum();
        }
    }

    /** A block's tokens, compared by value. */
    private record Block(int[] tokens) {
        static Block of(int[] ids, int index) {
            return new Block(Arrays.copyOfRange(ids, index * BLOCK, (index + 1) * BLOCK));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && Arrays.equals(tokens, b.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }

        @Override
        public String toString() {
            return Arrays.toString(tokens);
        }
    }

    /** A cache of at most {@code budget} bytes of keys and values (more than 0). */
    PrefixCache(long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("a prefix cache needs a budget of more than 0 bytes, got " + budget);
        }
        this.budget = budget;
    }

    /** Bytes of keys and values kept now. */
    long bytes() {
        return bytes;
    }

    /**
     * The kept blocks that {@code ids} starts with, first block first, each a cache per layer:
     * at most {@code (ids.length - 1) / BLOCK} of them, so that the last token is always read.
     * They count as just used.
     */
    List<List<KvCache>> match(int[] ids) {
        List<Node> path = new ArrayList<>();
        Node at = root;
        for (int j = 0; (j + 1) * BLOCK < ids.length; j++) {
            Node next = at.children.get(Block.of(ids, j));
            if (next == null) {
                break;
            }
            path.add(next);
            at = next;
        }
        touch(path);
        return path.stream().map(n -> n.layers).toList();
    }

    /**
     * Keeps the whole blocks of {@code ids} not kept yet, copied from {@code caches} (one per
     * layer, batch 1), which hold the keys and values of at least those positions. Stops at the
     * first block the budget has no room for, after evicting what it may.
     */
    void keep(int[] ids, List<KvCache> caches) {
        int held = caches.getFirst().length();
        List<Node> path = new ArrayList<>();
        Node at = root;
        for (int j = 0; (j + 1) * BLOCK <= Math.min(ids.length, held); j++) {
            Block key = Block.of(ids, j);
            Node next = at.children.get(key);
            if (next == null) {
                int from = j * BLOCK;
                List<KvCache> layers = caches.stream().map(c -> c.slice(from, BLOCK)).toList();
                next = new Node(at, key, layers);
                long size = next.bytes();
                if (!makeRoom(size, path)) {
                    break;
                }
                at.children.put(key, next);
                recency.put(next, next);
                bytes += size;
            }
            path.add(next);
            at = next;
        }
        touch(path);
    }

    /** Marks a path of blocks used, deepest first, so that each prefix counts as more recent than its extensions. */
    private void touch(List<Node> path) {
        for (int i = path.size() - 1; i >= 0; i--) {
            recency.get(path.get(i));
        }
    }

    /**
     * Evicts the least recently used blocks without children, never one of {@code keep}, until
     * {@code size} more bytes fit the budget; false when they cannot.
     */
    private boolean makeRoom(long size, List<Node> keep) {
        if (size > budget) {
            return false;
        }
        while (bytes + size > budget) {
            Node victim = null;
            for (Iterator<Node> it = recency.keySet().iterator(); it.hasNext(); ) {
                Node n = it.next();
                if (n.children.isEmpty() && !keep.contains(n)) {
                    victim = n;
                    it.remove();
                    break;
                }
            }
            if (victim == null) {
                return false;
            }
            victim.parent.children.remove(victim.key);
            bytes -= victim.bytes();
        }
        return true;
    }

    /** Drops every block: the model is going, or memory ran short. */
    void clear() {
        root.children.clear();
        recency.clear();
        bytes = 0;
    }

    /** Blocks kept now. */
    int blocks() {
        return recency.size();
    }
}
