package dev.hearth.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The pool's contract: every index once, chunk edges on multiples of the grain, failures reach the caller. */
class ComputePoolTest {

    @Test
    void eachWorkerRunsTheStartHookOnItselfFirst() throws Exception {
        java.util.Set<String> started = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ComputePool pool = new ComputePool(3, () -> started.add(Thread.currentThread().getName()))) {
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(64, 1, (a, b) -> sum.addAndGet(b - a));
            assertThat(sum.get()).isEqualTo(64);
            for (int i = 0; i < 1000 && started.size() < 2; i++) {
                Thread.sleep(5);
            }
            assertThat(started).containsExactlyInAnyOrder("hearth-compute-1", "hearth-compute-2");
        }
    }

    @Test
    void everyIndexIsRunExactlyOnceAndChunksStartOnMultiplesOfTheGrain() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int n : new int[] {1, 7, 64, 100, 1000, 4099}) {
                for (int grain : new int[] {1, 3, 8, 64, 5000}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    AtomicInteger badEdge = new AtomicInteger(-1);
                    pool.parallelFor(n, grain, (start, end) -> {
                        if (start % grain != 0 || (end != n && end % grain != 0) || start >= end) {
                            badEdge.set(start);
                        }
                        for (int i = start; i < end; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    assertThat(badEdge.get()).as("n=%d grain=%d: a chunk [start, end) off the grain", n, grain)
                            .isEqualTo(-1);
                    for (int i = 0; i < n; i++) {
                        assertThat(seen.get(i)).as("n=%d grain=%d index %d", n, grain, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void unevenWorkIsStillCoveredWhole() {
        // the first indices are slow: whoever takes them falls behind, and the others take the rest
        try (ComputePool pool = new ComputePool(2)) {
            int n = 4096;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            pool.parallelFor(n, 16, (start, end) -> {
                for (int i = start; i < end; i++) {
                    if (i < 256) {
                        long until = System.nanoTime() + 20_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                    }
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).as("index %d", i).isEqualTo(1);
            }
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolGoesOn() {
        try (ComputePool pool = new ComputePool(2)) {
            for (int bad : new int[] {0, 999}) {                // a chunk of the caller's, and a late one
                assertThatThrownBy(() -> pool.parallelFor(1000, 1, (start, end) -> {
                    if (start <= bad && bad < end) {
                        throw new IllegalStateException("index " + bad);
                    }
                })).isInstanceOf(IllegalStateException.class).hasMessage("index " + bad);
            }
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(100, 1, (start, end) -> sum.addAndGet(end - start));
            assertThat(sum.get()).isEqualTo(100);
        }
    }
}
