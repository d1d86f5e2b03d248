package dev.hearth.serve;

import dev.hearth.store.ApiKeys;
import dev.hearth.store.AuditRecord;
import dev.hearth.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each finished request's audit record and token count to the store by group commit: the
 * request's thread hands them over and waits until they are committed, and one writer thread
 * appends every record waiting at that moment in one transaction, and their token counts in
 * another. A request's handler still returns only once its record is in the store, but requests
 * that end together (streams finishing in the same decode step) cost the database about one
 * append, not one each in turn. With SQLite's single connection, eight streams ending together
 * took eight audit appends and eight token counts one after another, the API keys of the next
 * requests waiting behind them, and a continuous batch refilled slowly.
 *
 * <p>A failed batch is written again one request at a time, so one bad record costs only its
 * own row; each failure is logged with its request id, as the server logs any record it could
 * not write.
 */
final class AuditWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);

    /** Most requests in one transaction. */
    private static final int MAX_BATCH = 256;

    /** A request's record, its token count (null when nothing is charged), and when both are written. */
    private record Pending(AuditRecord record, ApiKeys.TokenCount tokens, CompletableFuture<Void> written) {}

    private static final Pending STOP = new Pending(null, null, null);

    private final Store store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private boolean open = true;                                     // guarded by this

    AuditWriter(Store store) {
        this.store = store;
        this.thread = Thread.ofPlatform().name("hearth-audit").daemon().start(this::run);
    }

    /**
     * Writes a request's audit record and, when not null, its token count; returns once both are
     * committed or have failed (logged). After {@link #close} it writes them on the caller's thread.
     */
    void write(AuditRecord record, ApiKeys.TokenCount tokens) {
        Pending p = new Pending(record, tokens, new CompletableFuture<>());
        boolean queued;
        synchronized (this) {
            queued = open && queue.add(p);
        }
        if (!queued) {
            commit(List.of(p));
        }
        p.written().join();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(STOP);                       // the last in the queue: nothing follows it
            try {
                commit(batch);
            } catch (RuntimeException | Error e) {                   // the writer goes on whatever happened
                LOG.error("the audit writer failed on {} requests", batch.size(), e);
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void commit(List<Pending> batch) {
        try {
            write(batch);
        } finally {
            batch.forEach(p -> p.written().complete(null));          // no request waits forever
        }
    }

    private void write(List<Pending> batch) {
        together(batch, ps -> store.audit().appendAll(ps.stream().map(Pending::record).toList()),
                "write the audit record");
        together(batch.stream().filter(p -> p.tokens() != null).toList(),
                ps -> store.keys().addTokens(ps.stream().map(Pending::tokens).toList()), "count the tokens");
    }

    /** Runs {@code work} on all the requests at once; if that fails, on each alone, logging each failure. */
    private static void together(List<Pending> requests, Consumer<List<Pending>> work, String what) {
        if (requests.isEmpty()) {
            return;
        }
        try {
            work.accept(requests);
        } catch (RuntimeException e) {
            if (requests.size() == 1) {
                LOG.error("could not {} of request {}", what, requests.getFirst().record().requestId(), e);
                return;
            }
            for (Pending p : requests) {
                try {
                    work.accept(List.of(p));
                } catch (RuntimeException single) {
                    LOG.error("could not {} of request {}", what, p.record().requestId(), single);
                }
            }
        }
    }

    /** Writes what is queued, then stops the writer thread; later writes run on their callers' threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            queue.add(STOP);
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
