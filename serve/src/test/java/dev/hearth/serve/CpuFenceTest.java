package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CpuFenceTest {

    @Test
    void readsCpuListsAsTasksetWritesThemAndNamesWhatItCannotRead() {
        assertThat(CpuFence.format(CpuFence.parse("0"))).isEqualTo("0");
        assertThat(CpuFence.format(CpuFence.parse(" 0-3 "))).isEqualTo("0-3");
        assertThat(CpuFence.format(CpuFence.parse("0,2,4-7, 9"))).isEqualTo("0,2,4-7,9");
        assertThat(CpuFence.format(CpuFence.parse("3,1-2"))).isEqualTo("1-3");
        for (String bad : new String[] {"a", "3-1", "-1", "1,,2", "2048", "0-x"}) {
            assertThatThrownBy(() -> CpuFence.parse(bad)).as(bad).isInstanceOf(HearthException.class)
                    .hasMessageContaining("is not a CPU number or range");
        }
        assertThatThrownBy(() -> CpuFence.parse(" ")).isInstanceOf(HearthException.class)
                .hasMessageContaining("needs a CPU list");
    }

    @Test
    void refusesCpusTheProcessMayNotUseAndAListThatLeavesNoneForTheRest() {
        assumeTrue(linux(), "CPU binding is Linux only");
        BitSet allowed = CpuFence.parse(cpusAllowed("self"));
        BitSet missing = new BitSet();
        missing.set(1023);
        assumeTrue(!allowed.get(1023));
        assertThatThrownBy(() -> CpuFence.start(missing)).isInstanceOf(HearthException.class)
                .hasMessageContaining("CPU 1023 is not one this process may use");
        assertThatThrownBy(() -> CpuFence.start(allowed)).isInstanceOf(HearthException.class)
                .hasMessageContaining("leaves no CPU for the server's other threads");
        assertThatThrownBy(() -> CpuFence.start(new BitSet())).isInstanceOf(HearthException.class)
                .hasMessageContaining("lists no CPU");
    }

    @Test
    void bindsComputeThreadsToTheirCpusTheOtherThreadsToTheRestAndFreesAllOnClose() throws Exception {
        assumeTrue(linux(), "CPU binding is Linux only");
        BitSet allowed = CpuFence.parse(cpusAllowed("self"));
        assumeTrue(allowed.cardinality() >= 2, "needs two CPUs");
        BitSet compute = new BitSet();
        compute.set(allowed.nextSetBit(0));
        BitSet rest = (BitSet) allowed.clone();
        rest.andNot(compute);

        CountDownLatch look = new CountDownLatch(1);
        CompletableFuture<String> bystander = new CompletableFuture<>();
        Thread other = Thread.ofPlatform().start(() -> {        // a thread that exists before the fence
            try {
                look.await();
                bystander.complete(cpusAllowed("thread-self"));
            } catch (Throwable e) {
                bystander.completeExceptionally(e);
            }
        });
        try (CpuFence fence = CpuFence.start(compute)) {
            assertThat(fence.computeCpus()).isEqualTo(compute);
            assertThat(fence.otherCpus()).isEqualTo(rest);
            CompletableFuture<String> computing = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                fence.enter();
                computing.complete(cpusAllowed("thread-self"));
            }).join();
            assertThat(computing.get()).isEqualTo(CpuFence.format(compute));
            look.countDown();
            other.join();
            assertThat(bystander.get()).isEqualTo(CpuFence.format(rest));
            assertThat(cpusAllowed("thread-self")).isEqualTo(CpuFence.format(rest));
        }
        assertThat(cpusAllowed("thread-self")).isEqualTo(CpuFence.format(allowed));
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /** Cpus_allowed_list of /proc/self/status (the process's main thread) or /proc/thread-self/status. */
    static String cpusAllowed(String who) {
        try {
            return Files.readAllLines(Path.of("/proc", who, "status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
