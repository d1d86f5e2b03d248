package dev.hearth.serve;

import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the models' compute threads and the rest of the server on separate CPUs ({@code hearth
 * serve --compute-cpus LIST}, Linux only). Each batch thread and compute-pool worker binds itself
 * to the compute CPUs when it starts ({@link #enter}); every other thread of the process (HTTP,
 * request threads, the store, the JVM's collector and compilers) is bound to the CPUs this
 * process may use that are not in the list, by a fence thread that looks again every second, so
 * threads started later are bound too.
 *
 * <p>Why: on a small machine the kernel wakes request threads, and any other process's threads
 * (a benchmark client, an application server), onto the core the batch is computing on, and
 * every such wake-up pre-empts the decode step of every running sequence. vLLM's CPU backend
 * binds its compute threads the same way and reserves cores for its front end; llama.cpp's
 * server has {@code --cpu-mask} and {@code --cpu-strict}. Other processes are not moved: keep
 * them off the compute CPUs yourself ({@code taskset}) for the full effect.
 */
public final class CpuFence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuFence.class);
    /** Bytes of a CPU mask: glibc's cpu_set_t, 1,024 CPUs. */
    private static final int MASK_BYTES = 128;
    private static final long PERIOD_MS = 1_000;

    private final BitSet allowed;
    private final BitSet compute;
    private final BitSet others;
    private final Map<Integer, Thread> computeThreads = new ConcurrentHashMap<>();
    private final Thread fence;
    private volatile boolean open = true;

    private CpuFence(BitSet allowed, BitSet compute, BitSet others) {
        this.allowed = allowed;
        this.compute = compute;
        this.others = others;
        this.fence = Thread.ofPlatform().name("hearth-cpu-fence").daemon().unstarted(this::run);
    }

    /**
     * Binds the process's threads as described above, from now until {@link #close}. Fails with
     * a message naming the problem when not on Linux, when a listed CPU is not one this process
     * may use, or when the list leaves no CPU for the other threads.
     */
    public static CpuFence start(BitSet compute) {
        if (compute.isEmpty()) {
            throw new HearthException("--compute-cpus lists no CPU");
        }
        BitSet allowed = Native.get().allowed();
        BitSet outside = (BitSet) compute.clone();
        outside.andNot(allowed);
        if (!outside.isEmpty()) {
            throw new HearthException("--compute-cpus " + format(compute) + ": CPU " + format(outside)
                    + " is not one this process may use (" + format(allowed) + ")");
        }
        BitSet others = (BitSet) allowed.clone();
        others.andNot(compute);
        if (others.isEmpty()) {
            throw new HearthException("--compute-cpus " + format(compute) + " leaves no CPU for the server's other"
                    + " threads (this process may use " + format(allowed) + "); list fewer");
        }
        CpuFence f = new CpuFence(allowed, (BitSet) compute.clone(), others);
        f.bindOthers();
        f.fence.start();
        LOG.info("compute threads on CPUs {}, the server's other threads on CPUs {}", format(compute), format(others));
        return f;
    }

    /** The compute CPUs. */
    public BitSet computeCpus() {
        return (BitSet) compute.clone();
    }

    /** The CPUs the server's other threads run on. */
    public BitSet otherCpus() {
        return (BitSet) others.clone();
    }

    /**
     * Binds the calling thread to the compute CPUs and keeps the fence from moving it, for as
     * long as the thread lives. Never throws: a thread that cannot be bound runs where the
     * kernel puts it, and the log says why.
     */
    public void enter() {
        try {
            Native n = Native.get();
            synchronized (this) {                // not between the fence's listing and its binding
                computeThreads.put(n.tid(), Thread.currentThread());
                n.bind(0, compute);
            }
        } catch (RuntimeException e) {
            LOG.warn("thread {} could not be bound to CPUs {}", Thread.currentThread().getName(), format(compute), e);
        }
    }

    private void run() {
        while (open) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            try {
                bindOthers();
            } catch (RuntimeException e) {
                LOG.warn("binding the server's threads to CPUs {} failed; trying again in a second", format(others), e);
            }
        }
    }

    /** Binds every thread of the process but the live compute threads to the other CPUs. */
    private synchronized void bindOthers() {
        computeThreads.values().removeIf(t -> !t.isAlive());
        bindAll(others, computeThreads.keySet());
    }

    /** Binds every thread of the process but those in {@code except} to {@code cpus}. */
    private static void bindAll(BitSet cpus, Set<Integer> except) {
        Native n = Native.get();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                if (!except.contains(tid)) {
                    n.bind(tid, cpus);
                }
            }
        } catch (IOException e) {
            throw new HearthException("cannot list this process's threads in /proc/self/task: " + e.getMessage(), e);
        }
    }

    /** Stops the fence and lets every thread of the process run on all the CPUs it could before. */
    @Override
    public void close() {
        open = false;
        fence.interrupt();
        try {
            fence.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bindAll(allowed, Set.of());
    }

    /**
     * Parses a CPU list as taskset and the kernel write it: numbers and ranges, comma-separated
     * ("0", "0-3", "0,2,4-7").
     */
    public static BitSet parse(String list) {
        BitSet cpus = new BitSet();
        String text = list == null ? "" : list.trim();
        if (text.isEmpty()) {
            throw new HearthException("--compute-cpus needs a CPU list such as 0 or 0-3 or 0,2");
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                if (from < 0 || to < from || to >= MASK_BYTES * 8) {
                    throw new NumberFormatException();
                }
                cpus.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new HearthException("--compute-cpus " + list + ": \"" + p + "\" is not a CPU number or range"
                        + " (write 0 or 0-3 or 0,2; CPUs 0 to " + (MASK_BYTES * 8 - 1) + ")");
            }
        }
        return cpus;
    }

    /** A CPU set as a list of numbers and ranges, the way {@link #parse} reads it. */
    public static String format(BitSet cpus) {
        StringBuilder b = new StringBuilder();
        for (int i = cpus.nextSetBit(0); i >= 0; ) {
            int end = cpus.nextClearBit(i) - 1;
            b.append(b.isEmpty() ? "" : ",").append(i).append(end > i ? "-" + end : "");
            i = cpus.nextSetBit(end + 1);
        }
        return b.toString();
    }

    /** Linux's sched_setaffinity, sched_getaffinity and gettid, through the C library. */
    private static final class Native {
        private static final int ESRCH = 3;
        private static volatile Native instance;

        private final MethodHandle set;
        private final MethodHandle get;
        private final MethodHandle gettid;
        private final StructLayout state = Linker.Option.captureStateLayout();
        private final VarHandle errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        private Native() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                throw new HearthException("--compute-cpus works on Linux only; this is "
                        + System.getProperty("os.name"));
            }
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            Linker.Option errnoState = Linker.Option.captureCallState("errno");
            FunctionDescriptor affinity = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
            set = linker.downcallHandle(libc.find("sched_setaffinity").orElseThrow(), affinity, errnoState);
            get = linker.downcallHandle(libc.find("sched_getaffinity").orElseThrow(), affinity, errnoState);
            gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        }

        static Native get() {
            Native n = instance;
            if (n == null) {
                synchronized (Native.class) {
                    if (instance == null) {
                        instance = new Native();
                    }
                    n = instance;
                }
            }
            return n;
        }

        int tid() {
            try {
                return (int) gettid.invokeExact();
            } catch (Throwable e) {
                throw new HearthException("gettid failed: " + e, e);
            }
        }

        /** The CPUs the calling thread may run on. */
        BitSet allowed() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mask = arena.allocate(MASK_BYTES);
                MemorySegment st = arena.allocate(state);
                int rc = (int) get.invokeExact(st, 0, (long) MASK_BYTES, mask);
                if (rc != 0) {
                    throw new HearthException("sched_getaffinity failed (errno " + (int) errno.get(st, 0L) + ")");
                }
                return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
            } catch (HearthException e) {
                throw e;
            } catch (Throwable e) {
                throw new HearthException("sched_getaffinity failed: " + e, e);
            }
        }

        /** Binds thread {@code tid} (0: the caller) to {@code cpus}; a thread that ended since it was listed (ESRCH) is passed over. */
        void bind(int tid, BitSet cpus) {
            int err = setAffinity(tid, cpus);
            if (err != 0 && err != ESRCH) {
                throw new HearthException("sched_setaffinity(" + tid + ", " + format(cpus) + ") failed (errno " + err
                        + ")");
            }
        }

        private int setAffinity(int tid, BitSet cpus) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mask = arena.allocate(MASK_BYTES);
                long[] words = cpus.toLongArray();
                MemorySegment.copy(words, 0, mask, ValueLayout.JAVA_LONG, 0, words.length);
                MemorySegment st = arena.allocate(state);
                int rc = (int) set.invokeExact(st, tid, (long) MASK_BYTES, mask);
                return rc == 0 ? 0 : (int) errno.get(st, 0L);
            } catch (Throwable e) {
                throw new HearthException("sched_setaffinity failed: " + e, e);
            }
        }
    }
}
