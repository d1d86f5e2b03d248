package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Texts produced on a background thread and consumed as an {@link Iterable}, so that a consumer
 * that pulls (the BPE trainer) and a reader that pushes (a {@link DocumentSink}) overlap on two
 * cores. The queue is short, so memory holds a few texts, never the corpus. A failure of the
 * producer is thrown by the iterator; iterate once.
 */
final class BackgroundDocuments implements Iterable<String>, AutoCloseable {
    interface Producer {
        void produce(Consumer<String> emit);
    }

    private static final String END = new String("end of documents");

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(64);
    private final Thread thread;
    private volatile RuntimeException failure;

    BackgroundDocuments(String name, Producer producer) {
        thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                producer.produce(this::put);
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                failure = new HearthException("reading failed: " + e, e);
            } finally {
                try {
                    queue.put(END);
                } catch (InterruptedException e) {
                    // the consumer has gone
                }
            }
        });
        thread.start();
    }

    private void put(String text) {
        try {
            queue.put(text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    /** Thrown in the producer when the consumer stopped early. */
    private static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("cancelled", null, false, false);
        }
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private String next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        String t = queue.take();
                        if (t == END) {
                            done = true;
                            if (failure != null) {
                                throw failure;
                            }
                        } else {
                            next = t;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new HearthException("interrupted while reading documents", e);
                    }
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String t = next;
                next = null;
                return t;
            }
        };
    }

    /** Stops the producer if it is still running and waits for it. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
