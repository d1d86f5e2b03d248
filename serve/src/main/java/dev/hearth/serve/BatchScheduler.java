package dev.hearth.serve;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.FinishReason;
import dev.hearth.engine.generate.PromptOptions;
import dev.hearth.engine.generate.Sampler;
import dev.hearth.engine.generate.Sequence;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching for one model: a single thread owns the model and runs, over and over,
 * (1) admit: take waiting jobs from the bounded queue while the batch has room, giving each new
 * prompt KV caches of its own (after copying in the whole blocks of it that the
 * {@link PrefixCache} holds); (2) one decode step for every running sequence together
 * ({@link LanguageModel#forwardEach}: the matrix products see all of them as one batch, attention
 * reads each one's own cache), which also reads the new prompts, their tokens as rows after the
 * running sequences' (a prompt that does not fit beside them, or comes when nothing runs, is read
 * alone at admission), then sample each sequence's next token, or a new prompt's first, with its
 * own settings. A sequence leaves the batch as soon as it
 * finishes, is cancelled (its client went away) or passes its deadline, and its slot is filled
 * at the next admit. Past the queue's capacity {@link #submit} refuses at once (429), so
 * overload never hangs a client. Other work on the model (embeddings) runs on the same thread one
 * item at a time between decode steps, so a large request does not stall the running streams.
 * The thread computes on a pool of its own ({@link ServeOptions#computeThreads()}); with a
 * {@link CpuFence} (hearth serve --compute-cpus) it and the pool's workers run on the compute CPUs
 * only, where request threads cannot pre-empt a step. It does not
 * wake the requests' threads itself: after each step (and each prompt) it hands the jobs with new
 * tokens to a delivery thread in one go, which wakes them. Waking a thread that sleeps on another
 * core can cost the waker tens of microseconds in a virtual machine (48-70 µs measured with
 * {@code dev.hearth.bench.WakeCost}), and a step would otherwise pay that for each carrier thread
 * it wakes.
 */
public final class BatchScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final int maxBatch;
    private final ServerMetrics.ModelMeters meters;
    private final BlockingQueue<Object> queue;
    private final List<Running> running = new ArrayList<>();
    private final List<Reading> readings = new ArrayList<>();                 // prompts for the next step
    private final ArrayDeque<Task<?, ?>> tasks = new ArrayDeque<>();
    private final ComputePool pool;
    private final PrefixCache prefixes;                                       // null when turned off
    private final Thread thread;
    private final Set<GenerationJob> news = new LinkedHashSet<>();            // jobs with events not yet woken
    private final BlockingQueue<List<GenerationJob>> deliveries = new LinkedBlockingQueue<>();
    private final Thread deliverer;
    private volatile boolean open = true;
    private volatile int runningJobs;

    /**
     * The job's prompt {@code index}, being read into {@code caches} (null when no token is
     * wanted), which already hold the {@code cached} tokens the prefix cache had; {@code t0} when
     * its reading began. Left in {@link #readings}, it is read in the next decode step, its rows
     * after the running sequences' tokens, so the weights stream once for all of them.
     */
    private record Reading(GenerationJob job, int index, Sampler sampler, List<KvCache> caches, int cached, long t0) {
        int[] ids() {
            return job.prompts().get(index);
        }

        int rows() {
            return ids().length - cached;
        }
    }

    /** A sequence in the batch: its job, state, caches and sampler, and when it last produced a token. */
    private static final class Running {
        final GenerationJob job;
        final Sequence seq;
        final List<KvCache> caches;
        final Sampler sampler;
        long lastToken;

        Running(GenerationJob job, Sequence seq, List<KvCache> caches, Sampler sampler) {
            this.job = job;
            this.seq = seq;
            this.caches = caches;
            this.sampler = sampler;
        }
    }

    /** Work done on the model's thread between steps, one item at a time (embeddings). */
    private static final class Task<I, R> {
        final List<I> items;
        final BiFunction<LanguageModel, I, R> work;
        final CompletableFuture<List<R>> result;
        final List<R> done = new ArrayList<>();

        Task(List<I> items, BiFunction<LanguageModel, I, R> work, CompletableFuture<List<R>> result) {
            this.items = items;
            this.work = work;
            this.result = result;
        }

        /** Computes the next item; true once the task is over (finished, failed, or given up by its request). */
        boolean next(LanguageModel model) {
            if (result.isDone()) {
                return true;
            }
            try {
                done.add(work.apply(model, items.get(done.size())));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return true;
            }
            if (done.size() < items.size()) {
                return false;
            }
            result.complete(done);
            return true;
        }
    }

    /** With a {@code fence}, the thread and its pool's workers run on the fence's compute CPUs (null: anywhere). */
    public BatchScheduler(LanguageModel model, Tokenizer tokenizer, String label, ServeOptions options,
                          ServerMetrics metrics, CpuFence fence) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxBatch = options.maxBatch();
        this.meters = metrics.forModel(label);
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.prefixes = options.prefixCacheBytes() > 0 ? new PrefixCache(options.prefixCacheBytes()) : null;
        if (prefixes != null) {
            metrics.watchPrefixCache(label, prefixes::bytes);
        }
        Runnable bind = fence == null ? () -> { } : fence::enter;
        this.pool = new ComputePool(options.computeThreads(), bind);
        this.deliverer = Thread.ofVirtual().name("hearth-deliver-" + label).start(this::deliver);
        this.thread = Thread.ofPlatform().name("hearth-batch-" + label).daemon()
                .start(() -> {
                    bind.run();
                    ComputePool.runWith(pool, this::loop);
                });
    }

    /** Queues a job, or refuses it at once: 429 when the queue is full, 503 when stopping. */
    public void submit(GenerationJob job) {
        offer(job);
    }

    /**
     * Runs {@code work} on each item on the model's thread (the model is not thread-safe), one item
     * between two decode steps; the results come in the items' order.
     */
    public <I, R> CompletableFuture<List<R>> callEach(List<I> items, BiFunction<LanguageModel, I, R> work) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<List<R>> f = new CompletableFuture<>();
        offer(new Task<>(List.copyOf(items), work, f));
        return f;
    }

    private void offer(Object work) {
        if (!open) {
            throw ApiException.shuttingDown();
        }
        if (!queue.offer(work)) {
            throw ApiException.tooMany("server_overloaded", "queue_full", "the server is at capacity ("
                    + queue.size() + " requests waiting, " + runningJobs + " running); retry after a moment", 1);
        }
    }

    public int queueLength() {
        return queue.size();
    }

    public int runningRequests() {
        return runningJobs;
    }

    /** True when nothing waits or runs. */
    public boolean idle() {
        return queue.isEmpty() && runningJobs == 0;
    }

    private void loop() {
        try (Autograd.Scope s = Autograd.noGrad()) {
            while (open) {
                try {
                    long t0 = System.nanoTime();
                    admit();
                    if (!tasks.isEmpty() && tasks.peekFirst().next(model)) {
                        tasks.pollFirst();
                    }
                    if (running.isEmpty()) {
                        meters.busySince(t0);
                        if (!tasks.isEmpty()) {
                            continue;
                        }
                        Object next = queue.poll(100, TimeUnit.MILLISECONDS);
                        if (next != null) {
                            long t1 = System.nanoTime();
                            start(next);
                            meters.busySince(t1);
                        }
                        continue;
                    }
                    step();
                    meters.busySince(t0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (OutOfMemoryError e) {
                    if (prefixes != null) {
                        prefixes.clear();
                    }
                    failAll(new ApiException(503, "server_error", "out_of_memory", null,
                            "the server ran out of memory with " + running.size() + " sequences running; retry", 1));
                } catch (RuntimeException e) {
                    LOG.error("decode step failed", e);
                    failAll(ApiException.internal("generation failed"));
                }
            }
        } catch (Throwable e) {
            LOG.error("the batch thread stopped", e);
            throw e;
        } finally {
            open = false;                          // no more work is taken once the thread is gone
            if (prefixes != null) {
                prefixes.clear();                  // the metrics' gauge still holds the cache
            }
            failAll(ApiException.shuttingDown());
            for (Task<?, ?> t; (t = tasks.poll()) != null; ) {
                t.result.completeExceptionally(ApiException.shuttingDown());
            }
            for (Object o; (o = queue.poll()) != null; ) {
                reject(o, ApiException.shuttingDown());
            }
        }
    }

    /** Wakes the request threads of each batch of jobs with news, until interrupted. */
    private void deliver() {
        try {
            while (true) {
                for (GenerationJob job : deliveries.take()) {
                    job.wake();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands the jobs with news since the last hand-off to the delivery thread. */
    private void handOff() {
        if (!news.isEmpty()) {
            deliveries.add(List.copyOf(news));
            news.clear();
        }
    }

    /** Starts waiting jobs while their sequences fit in the batch (a job larger than the batch runs alone). */
    private void admit() {
        while (true) {
            Object next = queue.peek();
            if (next == null) {
                return;
            }
            int admitted = running.size() + readings.stream().mapToInt(r -> r.job.n()).sum();
            if (next instanceof GenerationJob job && admitted > 0 && admitted + job.choices() > maxBatch) {
                return;
            }
            start(queue.poll());
        }
    }

    private void start(Object work) {
        if (work instanceof Task<?, ?> task) {
            tasks.addLast(task);
            return;
        }
        GenerationJob job = (GenerationJob) work;
        if (job.cancelled() || job.expired(System.nanoTime())) {
            job.fail(timeoutOrCancelled(job));
            return;
        }
        try {
            prefill(job);
        } catch (RuntimeException | OutOfMemoryError e) {
            running.removeIf(r -> r.job == job);
            readings.removeIf(r -> r.job == job);
            LOG.warn("prefill failed", e);
            job.fail(e instanceof OutOfMemoryError
                    ? new ApiException(503, "server_error", "out_of_memory", null, "the server ran out of memory"
                            + " reading the prompt; retry", 1)
                    : ApiException.internal("reading the prompt failed"));
        }
        handOff();
        updateRunning();
    }

    /**
     * Reads each of the job's prompts once and chooses every choice's first token; the n choices
     * of a prompt start from copies of its caches. While sequences run, a job whose prompts' rows
     * fit beside theirs ({@link LanguageModel#PROMPT_ROWS} rows in all) is left for the next decode
     * step, which reads them with their tokens: the same bits as reading them alone.
     */
    private void prefill(GenerationJob job) {
        int context = model.contextLength();
        int maxNew = job.params().maxNewTokens();
        Sampler sampler = new Sampler(job.params());
        List<Reading> mine = new ArrayList<>();
        for (int p = 0; p < job.prompts().size(); p++) {
            int[] ids = job.prompts().get(p);
            meters.promptTokens().increment(ids.length);
            long t0 = System.nanoTime();
            if (maxNew == 0) {
                begin(new Reading(job, p, sampler, null, 0, t0), null, 0, t0);
                continue;
            }
            List<KvCache> caches = model.newCaches(1, Math.min(context, ids.length + maxNew));
            int cached = 0;
            if (prefixes != null) {
                for (List<KvCache> block : prefixes.match(ids)) {
                    for (int l = 0; l < caches.size(); l++) {
                        caches.get(l).appendAll(block.get(l));
                    }
                    cached += PrefixCache.BLOCK;
                }
                job.addCachedPromptTokens(cached);
                meters.cachedPromptTokens().increment(cached);
            }
            mine.add(new Reading(job, p, sampler, caches, cached, t0));
        }
        int rows = running.size() + readings.stream().mapToInt(Reading::rows).sum()
                + mine.stream().mapToInt(Reading::rows).sum();
        if (!running.isEmpty() && rows <= LanguageModel.PROMPT_ROWS) {
            readings.addAll(mine);
            return;
        }
        for (Reading r : mine) {
            Tensor logits = model.forwardLast(Arrays.copyOfRange(r.ids(), r.cached, r.ids().length), r.caches)
                    .contiguous();
            begin(r, logits.data(), logits.offset(), System.nanoTime());
        }
    }

    /**
     * Starts the choices of a prompt read (by t1) into its caches, from the logits of its last
     * token at data[offset] (none when no token is wanted: null caches): each choice takes its
     * first token from them and runs on its own copy of the caches.
     */
    private void begin(Reading read, float[] data, int offset, long t1) {
        GenerationJob job = read.job;
        int context = model.contextLength();
        int vocab = Math.min(model.vocabSize(), tokenizer.vocabSize());
        if (read.caches != null && prefixes != null) {
            prefixes.keep(read.ids(), read.caches);
        }
        for (int i = 0; i < job.n(); i++) {
            Sequence seq = new Sequence(read.index * job.n() + i, read.ids(), job.params(), tokenizer, job, context,
                    PromptOptions.PLAIN);
            seq.prefilled(read.t0, t1);
            if (read.caches == null) {
                seq.end(FinishReason.MAX_TOKENS, read.t0);
                news.add(job);
                continue;
            }
            List<KvCache> own = i == job.n() - 1 ? read.caches : read.caches.stream().map(KvCache::copy).toList();
            Running r = new Running(job, seq, own, read.sampler);
            take(r, data, offset, vocab, context);
            if (seq.finish() == null) {
                running.add(r);
            }
        }
    }

    /** Samples and accepts one token for {@code r}, recording its latency. */
    private void take(Running r, float[] data, int offset, int vocab, int context) {
        int token = r.seq.sample(r.sampler, data, offset, vocab);
        boolean first = r.job.firstTokenNanos() == 0;
        r.seq.accept(token, context);
        news.add(r.job);
        long now = System.nanoTime();
        if (first) {
            meters.timeToFirstToken().record(now - r.job.arrivalNanos(), TimeUnit.NANOSECONDS);
        } else if (r.lastToken != 0) {
            meters.interTokenLatency().record(now - r.lastToken, TimeUnit.NANOSECONDS);
        }
        r.lastToken = now;
        meters.generatedTokens().increment();
        if (r.seq.finish() != null && r.job.done()) {
            meters.endToEndLatency().record(now - r.job.arrivalNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** One decode step for every running sequence, reading the prompts left for it alongside. */
    private void step() {
        long now = System.nanoTime();
        jobs().filter(job -> !job.done() && (job.cancelled() || job.expired(now))).toList()
                .forEach(job -> job.fail(timeoutOrCancelled(job)));
        running.removeIf(r -> r.job.done());
        readings.removeIf(r -> r.job.done());
        updateRunning();
        if (running.isEmpty() && readings.isEmpty()) {
            return;
        }
        int n = running.size();
        if (n > 0) {
            meters.batchSize().record(n);
        }
        int rows = n + readings.stream().mapToInt(Reading::rows).sum();
        int[] ids = new int[rows];
        List<List<KvCache>> caches = new ArrayList<>(rows);
        for (int i = 0; i < n; i++) {
            ids[i] = running.get(i).seq.lastToken();
            caches.add(running.get(i).caches);
        }
        int row = n;
        for (Reading r : readings) {
            for (int t = r.cached; t < r.ids().length; t++, row++) {
                ids[row] = r.ids()[t];
                caches.add(r.caches);
            }
        }
        Tensor logits = model.forwardEach(ids, caches).contiguous();               // a row per sequence
        float[] data = logits.data();
        int vocabAll = model.vocabSize();
        int vocab = Math.min(vocabAll, tokenizer.vocabSize());
        int context = model.contextLength();
        for (int i = 0; i < n; i++) {
            take(running.get(i), data, logits.offset() + i * vocabAll, vocab, context);
        }
        long t1 = System.nanoTime();
        for (int j = 0; j < readings.size(); j++) {
            begin(readings.get(j), data, logits.offset() + (n + j) * vocabAll, t1);
        }
        readings.clear();
        handOff();
        running.removeIf(r -> r.seq.finish() != null);
        updateRunning();
    }

    private static ApiException timeoutOrCancelled(GenerationJob job) {
        return job.cancelled()
                ? ApiException.clientClosed("the client closed the connection")
                : ApiException.timeout();
    }

    /** The jobs of the running sequences and of the prompts waiting for the next step, each once. */
    private Stream<GenerationJob> jobs() {
        return Stream.concat(running.stream().map(r -> r.job), readings.stream().map(r -> r.job)).distinct();
    }

    private void updateRunning() {
        runningJobs = (int) jobs().count();
    }

    private void failAll(ApiException e) {
        jobs().filter(job -> !job.done()).toList().forEach(job -> job.fail(e));
        running.clear();
        readings.clear();
        updateRunning();
    }

    private static void reject(Object work, ApiException e) {
        if (work instanceof GenerationJob job) {
            job.fail(e);
        } else if (work instanceof Task<?, ?> task) {
            task.result.completeExceptionally(e);
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
        deliverer.interrupt();
        pool.close();
    }
}
