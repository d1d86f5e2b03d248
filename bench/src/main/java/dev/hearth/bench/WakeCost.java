package dev.hearth.bench;

import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * What waking a parked thread costs the thread that wakes it: the serving scheduler's question, since
 * its batch thread wakes the threads that stream the tokens. A sleeper thread parks; every PAUSE µs
 * (long enough for it to park again and, on an otherwise idle machine, for its core to go idle) the
 * main thread unparks it and times the {@link LockSupport#unpark} call. Run it on all cores, then
 * under {@code taskset -c 0} for both threads on one core: on bare metal both are a few µs; in a
 * virtual machine, waking a halted virtual CPU can cost the waker tens of µs.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.hearth.bench.WakeCost [WAKES=20000] [PAUSE=500]}
 */
public final class WakeCost {
    private WakeCost() {}

    public static void main(String[] args) throws InterruptedException {
        int wakes = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long pauseNanos = (args.length > 1 ? Long.parseLong(args[1]) : 500) * 1_000;
        Thread sleeper = Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                LockSupport.park();
            }
        });
        Thread.sleep(100);
        long total = 0;
        long most = 0;
        for (int i = 0; i < wakes; i++) {
            long until = System.nanoTime() + pauseNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            long t0 = System.nanoTime();
            LockSupport.unpark(sleeper);
            long spent = System.nanoTime() - t0;
            total += spent;
            most = Math.max(most, spent);
        }
        System.out.printf(Locale.ROOT, "unpark of a parked thread: mean %.1f us, most %.1f us (%d wakes, %d us apart)%n",
                total / 1e3 / wakes, most / 1e3, wakes, pauseNanos / 1_000);
    }
}
