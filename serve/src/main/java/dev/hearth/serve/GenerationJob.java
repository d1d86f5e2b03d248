package dev.hearth.serve;

import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.SamplingParams;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One request's generation as the scheduler sees it: its prompts (each to be completed
 * {@code n} times), its sampling settings and deadline, and the events it produces. The
 * scheduler thread puts events in; the request's own thread takes them out ({@link #next}), so a
 * slow client never holds up the batch. Tokens and finished choices do not wake the request's
 * thread by themselves: the scheduler wakes every job with news once per step ({@link #wake}),
 * from a thread of its own, so that waking many requests costs the batch one hand-off a step.
 * A failure wakes the request at once.
 */
public final class GenerationJob implements GenerationListener {

    /** What the request's thread hears: text of one choice, one choice finished, or the job failed. */
    public sealed interface Event {
        record Delta(int choice, String text) implements Event {}
        record Finished(int choice, GenerationResult result) implements Event {}
        record Failed(ApiException error) implements Event {}
    }

    private final List<int[]> prompts;
    private final int n;
    private final SamplingParams params;
    private final long arrivalNanos;
    private final long deadlineNanos;
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;
    private final AtomicInteger open;
    private final AtomicInteger generated = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile long firstTokenNanos;
    private volatile int cachedPromptTokens;

    /**
     * @param prompts      token ids of each prompt
     * @param n            completions per prompt; choice {@code p * n + i} is completion i of prompt p
     * @param params       sampling settings (the seed of choice c derives from (seed, c))
     * @param arrivalNanos when the request arrived ({@link System#nanoTime()}): latencies count from here
     * @param timeoutNanos how long the whole request may take from its arrival, queueing included
     */
    public GenerationJob(List<int[]> prompts, int n, SamplingParams params, long arrivalNanos, long timeoutNanos) {
        this.prompts = List.copyOf(prompts);
        this.n = n;
        this.params = params;
        this.arrivalNanos = arrivalNanos;
        this.deadlineNanos = arrivalNanos + timeoutNanos;
        this.open = new AtomicInteger(prompts.size() * n);
    }

    public List<int[]> prompts() {
        return prompts;
    }

    public int n() {
        return n;
    }

    public int choices() {
        return prompts.size() * n;
    }

    public SamplingParams params() {
        return params;
    }

    public long arrivalNanos() {
        return arrivalNanos;
    }

    /** When the first token of any choice was chosen (0 before). */
    public long firstTokenNanos() {
        return firstTokenNanos;
    }

    /** Tokens generated so far over all choices (what the key is charged, even if the client leaves). */
    public int generatedTokens() {
        return generated.get();
    }

    /** Prompt tokens whose keys and values came from the prefix cache instead of being read. */
    public int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    /** Counts prompt tokens taken from the prefix cache (the model's thread only; before the prompt's first token). */
    void addCachedPromptTokens(int tokens) {
        cachedPromptTokens += tokens;
    }

    public boolean expired(long now) {
        return now - deadlineNanos > 0;
    }

    /** Stops the job at the next step (the client went away, or the request ended); its sequences leave the batch. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** True once every choice has finished or the job has failed. */
    public boolean done() {
        return open.get() <= 0;
    }

    /** The next event, or null when none came within {@code timeoutMillis}; one thread takes a job's events. */
    public Event next(long timeoutMillis) throws InterruptedException {
        Event e = events.poll();
        if (e != null) {
            return e;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        waiter = Thread.currentThread();           // set before looking again, so a wake-up cannot be missed
        try {
            while ((e = events.poll()) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return e;
        } finally {
            waiter = null;
        }
    }

    /** Wakes the request's thread if it waits for an event. */
    public void wake() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** True when events are waiting (the request's thread may write them together, flushing once). */
    public boolean hasEvents() {
        return !events.isEmpty();
    }

    @Override
    public void onTokenId(int choice, int tokenId) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = System.nanoTime();
        }
        generated.incrementAndGet();
    }

    @Override
    public void onToken(int choice, String textDelta) {
        events.add(new Event.Delta(choice, textDelta));
    }

    @Override
    public void onFinish(int choice, GenerationResult result) {
        events.add(new Event.Finished(choice, result));
        open.decrementAndGet();
    }

    /** Ends the job with an error; the request's thread reports it. */
    public void fail(ApiException error) {
        open.set(0);
        events.add(new Event.Failed(error));
        wake();
    }
}
