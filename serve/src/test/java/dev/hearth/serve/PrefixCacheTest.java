package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixCacheTest {

    private static int[] ids(int length, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = i * 7 + salt;
        }
        return ids;
    }

    private static final long BLOCK_BYTES = 2 * new KvCache(1, PrefixCache.BLOCK, 1, 2).bytes();   // two layers

    @Test
    void aPromptGetsTheWholeBlocksItStartsWithButAlwaysReadsItsLastToken() {
        PrefixCache cache = new PrefixCache(1 << 20);
        int[] a = ids(40, 1);
        assertThat(cache.match(a)).isEmpty();
        cache.keep(a, caches(40));
        assertThat(cache.blocks()).isEqualTo(2);                                   // 40 tokens: two whole blocks
        assertThat(cache.bytes()).isEqualTo(2 * BLOCK_BYTES);
        assertThat(cache.match(a)).hasSize(2).allSatisfy(block -> {
            assertThat(block).hasSize(2);
            assertThat(block.getFirst().length()).isEqualTo(PrefixCache.BLOCK);
        });
        assertThat(cache.match(Arrays.copyOf(a, 32))).hasSize(1);     // the second block holds token 31
        assertThat(cache.match(Arrays.copyOf(a, 33))).hasSize(2);
        assertThat(cache.match(Arrays.copyOf(a, 16))).isEmpty();
        int[] b = a.clone();
        b[20] = 999;                                                               // differs in the second block
        assertThat(cache.match(b)).hasSize(1);
        b[3] = 999;
        assertThat(cache.match(b)).isEmpty();
        cache.keep(a, caches(40));                                                 // kept already: nothing added
        assertThat(cache.blocks()).isEqualTo(2);
    }

    @Test
    void pastItsBudgetTheLeastRecentlyUsedExtensionGoesFirst() {
        PrefixCache cache = new PrefixCache(3 * BLOCK_BYTES);
        int[] a = ids(33, 1);
        int[] b = ids(17, 5);
        cache.keep(a, caches(33));                                                 // a's two blocks
        cache.keep(b, caches(17));                                                 // b's one: full
        assertThat(cache.blocks()).isEqualTo(3);
        cache.match(a);                                                            // a used after b
        int[] c = ids(17, 9);
        cache.keep(c, caches(17));                                                 // evicts b, the least recent
        assertThat(cache.match(b)).isEmpty();
        assertThat(cache.match(a)).hasSize(2);
        assertThat(cache.match(c)).hasSize(1);
        int[] d = ids(17, 11);
        cache.keep(d, caches(17));                      // a's second block goes before c and before its own first
        assertThat(cache.match(a)).hasSize(1);
        assertThat(cache.match(c)).hasSize(1);
        assertThat(cache.match(d)).hasSize(1);
        assertThat(cache.bytes()).isEqualTo(3 * BLOCK_BYTES);
        cache.clear();
        assertThat(cache.blocks()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThat(cache.match(a)).isEmpty();
    }

    @Test
    void aBlockLargerThanTheBudgetIsNotKeptAndAZeroBudgetIsRefused() {
        PrefixCache cache = new PrefixCache(BLOCK_BYTES / 2);
        cache.keep(ids(40, 1), caches(40));
        assertThat(cache.blocks()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThatThrownBy(() -> new PrefixCache(0)).hasMessageContaining("more than 0 bytes");
    }

    /** Two layers of caches (one key/value head of two floats) with {@code length} positions filled. */
    private static List<KvCache> caches(int length) {
        List<KvCache> layers = List.of(new KvCache(1, 64, 1, 2), new KvCache(1, 64, 1, 2));
        for (KvCache layer : layers) {
            Tensor kv = Tensor.randn(new Rng(length), 1f, 1, length, 1, 2);
            layer.append(kv, kv);
        }
        return layers;
    }
}
