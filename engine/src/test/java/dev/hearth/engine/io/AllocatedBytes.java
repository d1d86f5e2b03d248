package dev.hearth.engine.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/** Bytes the calling thread allocates, for tests that bound what a load allocates; skips where the JVM does not count them. */
final class AllocatedBytes {
    private AllocatedBytes() {}

    /** The thread's allocated bytes so far; the test is skipped (not failed) on a JVM that does not count them. */
    static long sofar() {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                && t.isThreadAllocatedMemoryEnabled(), "this JVM does not count the bytes a thread allocates");
        return ((com.sun.management.ThreadMXBean) threads).getCurrentThreadAllocatedBytes();
    }
}
