package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tokenize.EncodeOptions;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.TokenizerException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes texts on worker threads while the caller goes on reading, and delivers the results to
 * a sink on the caller's thread in exactly the order the texts were added, so the output does
 * not depend on the number of threads. Texts travel in batches of about {@link #BATCH_CHARS}
 * characters; at most two batches per thread are in flight, which bounds memory.
 */
final class OrderedEncoder implements AutoCloseable {
    static final int BATCH_CHARS = 1 << 18;
    private static final int BATCH_PIECES = 4096;

    /** A text to encode and what it belongs to. */
    record Piece(int input, long document, boolean last, boolean val, String text, int utf8Bytes) {}

    /** Its ids, or why the tokenizer refused it. */
    record Encoded(Piece piece, int[] ids, String error) {}

    interface Sink {
        void accept(Encoded encoded) throws IOException;
    }

    private final Tokenizer tokenizer;
    private final Sink sink;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Future<List<Encoded>>> inFlight = new ArrayDeque<>();
    private List<Piece> batch = new ArrayList<>();
    private long batchChars;

    OrderedEncoder(Tokenizer tokenizer, int threads, Sink sink) {
        this.tokenizer = tokenizer;
        this.sink = sink;
        this.maxInFlight = 2 * threads;
        if (threads > 1) {
            AtomicInteger n = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(threads,
                    r -> Thread.ofPlatform().daemon().name("hearth-data-encode-" + n.incrementAndGet()).unstarted(r));
        } else {
            this.pool = null;
        }
    }

    void add(Piece piece) throws IOException {
        batch.add(piece);
        batchChars += piece.text().length();
        if (batchChars >= BATCH_CHARS || batch.size() >= BATCH_PIECES) {
            submit();
        }
    }

    /** Encodes what is left and delivers everything. */
    void finish() throws IOException {
        submit();
        while (!inFlight.isEmpty()) {
            deliver(take(inFlight.poll()));
        }
    }

    private void submit() throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        List<Piece> b = batch;
        batch = new ArrayList<>();
        batchChars = 0;
        if (pool == null) {
            deliver(encode(b));
            return;
        }
        while (inFlight.size() >= maxInFlight) {
            deliver(take(inFlight.poll()));
        }
        inFlight.add(pool.submit(() -> encode(b)));
    }

    private List<Encoded> encode(List<Piece> pieces) {
        List<Encoded> out = new ArrayList<>(pieces.size());
        for (Piece p : pieces) {
            try {
                out.add(new Encoded(p, tokenizer.encode(p.text(), EncodeOptions.PLAIN), null));
            } catch (TokenizerException e) {
                out.add(new Encoded(p, null, e.getMessage()));
            }
        }
        return out;
    }

    private void deliver(List<Encoded> encoded) throws IOException {
        for (Encoded e : encoded) {
            sink.accept(e);
        }
    }

    private static List<Encoded> take(Future<List<Encoded>> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HearthException("interrupted while encoding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new HearthException("encoding failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
