package dev.hearth.serve;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.FinishReason;
import dev.hearth.engine.generate.PromptOptions;
import dev.hearth.engine.generate.Sampler;
import dev.hearth.engine.generate.Sequence;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching for one model: a single thread owns the model and runs, over and over,
 * (1) admit: take waiting jobs from the bounded queue while the batch has room, read each new
 * prompt (prefill, into KV caches of its own) and choose its first token; (2) one decode step
 * for every running sequence together ({@link LanguageModel#forwardEach}: the matrix products
 * see all of them as one batch, attention reads each one's own cache), then sample each
 * sequence's next token with its own settings. A sequence leaves the batch as soon as it
 * finishes, is cancelled (its client went away) or passes its deadline, and its slot is filled
 * at the next admit. Past the queue's capacity {@link #submit} refuses at once (429), so
 * overload never hangs a client.
 */
public final class BatchScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final String label;
    private final int maxBatch;
    private final ServerMetrics metrics;
    private final BlockingQueue<Object> queue;
    private final List<Running> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean open = true;
    private volatile int runningJobs;

    /** A sequence in the batch: its job, state, caches and sampler. */
    private record Running(GenerationJob job, Sequence seq, List<KvCache> caches, Sampler sampler, long[] lastToken) {}

    /** Work done on the model's thread between steps (embeddings). */
    private record Task<T>(Function<LanguageModel, T> work, CompletableFuture<T> result) {}

    public BatchScheduler(LanguageModel model, Tokenizer tokenizer, String label, int maxBatch, int queueCapacity,
                          ServerMetrics metrics) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.label = label;
        this.maxBatch = maxBatch;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().name("hearth-batch-" + label).daemon().start(this::loop);
    }

    /** Queues a job, or refuses it at once with 429 when the queue is full. */
    public void submit(GenerationJob job) {
        if (!open) {
            throw new ApiException(503, "server_error", "shutting_down", null, "the server is shutting down", 1);
        }
        if (!queue.offer(job)) {
            metrics.rejected("queue_full");
            throw ApiException.tooMany("server_overloaded", "queue_full", "the server is at capacity ("
                    + queue.size() + " requests waiting, " + runningJobs + " running); retry after a moment", 1);
        }
    }

    /** Runs {@code work} on the model's thread between decode steps (the model is not thread-safe). */
    public <T> CompletableFuture<T> call(Function<LanguageModel, T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!queue.offer(new Task<>(work, f))) {
            metrics.rejected("queue_full");
            throw ApiException.tooMany("server_overloaded", "queue_full", "the server is at capacity; retry after a"
                    + " moment", 1);
        }
        return f;
    }

    public int queueLength() {
        return queue.size();
    }

    public int runningRequests() {
        return runningJobs;
    }

    private void loop() {
        try (Autograd.Scope s = Autograd.noGrad()) {
            while (open) {
                try {
                    admit();
                    if (running.isEmpty()) {
                        Object next = queue.poll(100, TimeUnit.MILLISECONDS);
                        if (next != null) {
                            start(next);
                        }
                        continue;
                    }
                    step();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (OutOfMemoryError e) {
                    failAll(new ApiException(503, "server_error", "out_of_memory", null,
                            "the server ran out of memory with " + running.size() + " sequences running; retry", 1));
                } catch (RuntimeException e) {
                    LOG.error("decode step failed", e);
                    failAll(new ApiException(500, "server_error", "internal_error", null,
                            "generation failed: " + e.getMessage(), 0));
                }
            }
        } finally {
            failAll(new ApiException(503, "server_error", "shutting_down", null, "the server is shutting down", 1));
            for (Object o; (o = queue.poll()) != null; ) {
                reject(o, new ApiException(503, "server_error", "shutting_down", null, "the server is shutting down", 1));
            }
        }
    }

    private void admit() {
        while (running.size() < maxBatch) {
            Object next = queue.poll();
            if (next == null) {
                return;
            }
            start(next);
        }
    }

    private void start(Object work) {
        if (work instanceof Task<?> task) {
            runTask(task);
            return;
        }
        GenerationJob job = (GenerationJob) work;
        if (job.cancelled() || job.expired(System.nanoTime())) {
            job.fail(timeoutOrCancelled(job));
            return;
        }
        try {
            prefill(job);
        } catch (RuntimeException e) {
            running.removeIf(r -> r.job == job);
            LOG.warn("prefill failed", e);
            job.fail(new ApiException(500, "server_error", "internal_error", null, "reading the prompt failed: "
                    + e.getMessage(), 0));
        }
        updateRunning();
    }

    private <T> void runTask(Task<T> task) {
        try {
            task.result().complete(task.work().apply(model));
        } catch (RuntimeException e) {
            task.result().completeExceptionally(e);
        }
    }

    /** Reads each of the job's prompts into caches of its own and chooses every choice's first token. */
    private void prefill(GenerationJob job) {
        int context = model.contextLength();
        int vocabAll = model.vocabSize();
        int vocab = Math.min(vocabAll, tokenizer.vocabSize());
        Sampler sampler = new Sampler(job.params());
        int maxNew = job.params().maxNewTokens();
        for (int p = 0; p < job.prompts().size(); p++) {
            int[] ids = job.prompts().get(p);
            metrics.promptTokens(label, (long) ids.length * job.n());
            for (int i = 0; i < job.n(); i++) {
                int choice = p * job.n() + i;
                Sequence seq = new Sequence(choice, ids, job.params(), tokenizer, job, context, PromptOptions.PLAIN);
                long t0 = System.nanoTime();
                if (maxNew == 0) {
                    seq.prefilled(t0, t0);
                    seq.end(FinishReason.MAX_TOKENS, t0);
                    continue;
                }
                List<KvCache> caches = model.newCaches(1, Math.min(context, ids.length + maxNew));
                Tensor logits = model.forward(ids, 1, ids.length, 0, caches, null).contiguous();
                seq.prefilled(t0, System.nanoTime());
                Running r = new Running(job, seq, caches, sampler, new long[1]);
                take(r, logits.data(), logits.offset() + (ids.length - 1) * vocabAll, vocab, context);
                if (seq.finish() == null) {
                    running.add(r);
                }
            }
        }
    }

    /** Samples and accepts one token for {@code r}, recording its latency. */
    private void take(Running r, float[] data, int offset, int vocab, int context) {
        int token = r.seq.sample(r.sampler, data, offset, vocab);
        long before = r.job.firstTokenNanos();
        r.seq.accept(token, context);
        long now = System.nanoTime();
        if (before == 0) {
            metrics.timeToFirstToken(label, now - r.job.arrivalNanos());
        } else if (r.lastToken[0] != 0) {
            metrics.interTokenLatency(label, now - r.lastToken[0]);
        }
        r.lastToken[0] = now;
        metrics.generatedTokens(label, 1);
        if (r.seq.finish() != null && r.job.done()) {
            metrics.endToEndLatency(label, now - r.job.arrivalNanos());
        }
    }

    /** One decode step for every running sequence. */
    private void step() {
        long now = System.nanoTime();
        Set<GenerationJob> stopped = new HashSet<>();
        for (Running r : running) {
            if (!r.job.done() && (r.job.cancelled() || r.job.expired(now))) {
                stopped.add(r.job);
            }
        }
        stopped.forEach(job -> job.fail(timeoutOrCancelled(job)));
        running.removeIf(r -> r.job.done());
        updateRunning();
        if (running.isEmpty()) {
            return;
        }
        int n = running.size();
        int[] ids = new int[n];
        List<List<KvCache>> caches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids[i] = running.get(i).seq.lastToken();
            caches.add(running.get(i).caches);
        }
        Tensor logits = model.forwardEach(ids, caches).contiguous();
        float[] data = logits.data();
        int vocabAll = model.vocabSize();
        int vocab = Math.min(vocabAll, tokenizer.vocabSize());
        int context = model.contextLength();
        for (int i = 0; i < n; i++) {
            take(running.get(i), data, logits.offset() + i * vocabAll, vocab, context);
        }
        running.removeIf(r -> r.seq.finish() != null);
        updateRunning();
    }

    private static ApiException timeoutOrCancelled(GenerationJob job) {
        return job.cancelled()
                ? new ApiException(499, "invalid_request_error", "client_closed_request", null,
                        "the client closed the connection", 0)
                : new ApiException(504, "timeout", "request_timeout", null,
                        "the request did not finish within the server's request timeout", 0);
    }

    private void updateRunning() {
        runningJobs = (int) running.stream().map(Running::job).distinct().count();
    }

    private void failAll(ApiException e) {
        for (Running r : running) {
            if (!r.job.done()) {
                r.job.fail(e);
            }
        }
        running.clear();
        updateRunning();
    }

    private static void reject(Object work, ApiException e) {
        if (work instanceof GenerationJob job) {
            job.fail(e);
        } else if (work instanceof Task<?> task) {
            task.result().completeExceptionally(e);
        }
    }

    /** Stops taking work, fails what is queued or running with 503, and waits for the thread. */
    @Override
    public void close() {
        open = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
