package dev.hearth.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one pool of compute threads every kernel shares, sized to the cores (or to
 * {@code HEARTH_THREADS} / {@code -Dhearth.threads}). The range {@code [0, n)} is cut into
 * units of {@code grain} indices, and the calling thread and up to {@code threads() - 1} workers
 * take steps of units from a shared counter until none are left (a thread that starts late or
 * runs slower takes fewer; a fixed half each kept the caller waiting on its worker, and two
 * threads decoded a quantized model 10-20% slower). No thread creation or allocation happens per
 * call.
 *
 * <p>Kernels split only over independent outputs (rows, tiles, heads), never over a sum, so a
 * result does not depend on how the range was cut: the same inputs give bit-identical results
 * whatever the thread count. A call made while the pool is busy (from a worker, or from a second
 * thread) runs on the calling thread alone rather than waiting.
 */
public final class ComputePool implements AutoCloseable {

    /** The body of a parallel loop: handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    /**
     * Busy-wait iterations before a waiting thread parks (about 2 ms). Parking is cheap on
     * CPU but waking a parked thread can take milliseconds on a virtual machine: with 5,000
     * iterations an MNIST epoch took twice as long. The cost is that an idle worker spins that long
     * after each parallel loop.
     */
    private static final int SPIN = 50_000;
    private static final ComputePool SHARED = new ComputePool(configuredThreads());

    private final int threads;
    private final Worker[] workers;
    private final Runnable onWorkerStart;
    private final ReentrantLock entry = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Thread caller;
    private volatile boolean closed;

    // The job being run; written by the caller before the generation bump that publishes it.
    private Range body;
    private int jobN;
    private int jobGrain;
    private int jobUnits;
    private int jobStep;
    private final AtomicInteger nextUnit = new AtomicInteger();

    public ComputePool(int threads) {
        this(threads, () -> { });
    }

    /**
     * A pool whose worker threads each run {@code onWorkerStart} first, on themselves (e.g. to
     * bind themselves to CPUs of their own); the calling thread of a parallel loop is the
     * caller's to set up.
     */
    public ComputePool(int threads, Runnable onWorkerStart) {
        if (threads < 1) {
            throw new IllegalArgumentException("a compute pool needs at least one thread, got " + threads);
        }
        this.threads = threads;
        this.onWorkerStart = onWorkerStart;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    private static final ThreadLocal<ComputePool> OVERRIDE = new ThreadLocal<>();
    /** Set once any thread has used {@link #runWith}; until then {@link #shared} skips the thread-local. */
    private static volatile boolean overridden;

    /** The pool kernels use: the process-wide one, unless {@link #runWith} chose another for this thread. */
    public static ComputePool shared() {
        if (!overridden) {
            return SHARED;
        }
        ComputePool p = OVERRIDE.get();
        return p != null ? p : SHARED;
    }

    /** Runs {@code work} on this thread with {@code pool} as the pool every kernel uses (e.g. one thread). */
    public static void runWith(ComputePool pool, Runnable work) {
        overridden = true;
        ComputePool previous = OVERRIDE.get();
        OVERRIDE.set(pool);
        try {
            work.run();
        } finally {
            OVERRIDE.set(previous);
        }
    }

    private static int configuredThreads() {
        String v = System.getProperty("hearth.threads", System.getenv("HEARTH_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                int t = Integer.parseInt(v.trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default below
            }
            throw new IllegalArgumentException("HEARTH_THREADS / hearth.threads must be a whole number >= 1, got '"
                    + v + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /** Stops the worker threads of a pool made with {@code new}; the shared pool lives as long as the JVM. */
    @Override
    public void close() {
        if (this == SHARED) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)}, split into chunks of at least {@code grain} indices
     * (so small loops stay on one thread). Every chunk boundary is a multiple of {@code grain}:
     * a vector loop given a grain that is a multiple of the vector length therefore meets its
     * scalar tail only at {@code n}, whatever the thread count.
     */
    public void parallelFor(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = Math.max(1, n / g);
        int chunks = Math.min(threads, units);
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || entry.isHeldByCurrentThread()
                || !entry.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            runChunks(n, g, units, chunks, body);
        } finally {
            entry.unlock();
        }
    }

    /** Runs {@code body} over {@code [0, n)} with one index as the smallest chunk. */
    public void parallelFor(int n, Range body) {
        parallelFor(n, 1, body);
    }

    private void runChunks(int n, int grain, int units, int chunks, Range job) {
        this.body = job;
        this.jobN = n;
        this.jobGrain = grain;
        this.jobUnits = units;
        this.jobStep = Math.max(1, units / (chunks * GRABS_PER_THREAD));
        this.caller = Thread.currentThread();
        failure.set(null);
        nextUnit.set(0);
        pending.set(chunks - 1);
        for (int w = 0; w < chunks - 1; w++) {
            workers[w].submit();
        }
        Throwable own = null;
        try {
            share(job);
        } catch (Throwable t) {
            own = t;
            nextUnit.set(units);                     // the others stop at their next grab
        }
        int spins = 0;
        while (pending.get() > 0) {
            if (++spins < SPIN) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        this.body = null;
        Throwable t = own != null ? own : failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Grabs of the range each thread makes on average: threads take steps of {@code units /
     * (threads * 4)} units from a shared counter until none are left, so a thread that starts late
     * or runs slower takes less, and the caller does not wait on a fixed half.
     */
    private static final int GRABS_PER_THREAD = 4;

    /** Takes steps of the current job's units from the shared counter and runs them, until none are left. */
    private void share(Range job) {
        int units = jobUnits;
        int step = jobStep;
        for (int u0; (u0 = nextUnit.getAndAdd(step)) < units; ) {
            int u1 = Math.min(units, u0 + step);
            job.run(u0 * jobGrain, u1 == units ? jobN : u1 * jobGrain);
        }
    }

    private final class Worker extends Thread {
        private final int index;
        private volatile int requested;
        private int done;

        Worker(int index) {
            super("hearth-compute-" + index);
            this.index = index;
            setDaemon(true);
        }

        void submit() {
            requested++;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            onWorkerStart.run();
            while (true) {
                int spins = 0;
                while (requested == done) {
                    if (closed) {
                        return;
                    }
                    if (++spins < SPIN) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                done = requested;
                try {
                    share(body);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    nextUnit.set(jobUnits);
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
