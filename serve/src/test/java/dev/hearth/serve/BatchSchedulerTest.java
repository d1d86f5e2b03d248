package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSchedulerTest {

    @TempDir
    Path dir;

    private static BatchScheduler scheduler(ModelFolder.Loaded m) {
        return new BatchScheduler(m.model(), m.tokenizer(), "tiny", ServeOptions.defaults(), new ServerMetrics(), null);
    }

    /** A greedy completion of "the cat" with {@code maxTokens} new tokens. */
    private static GenerationJob greedy(ModelFolder.Loaded m, int maxTokens) {
        return new GenerationJob(List.of(m.tokenizer().encode("the cat")), 1,
                new SamplingParams(0, 0, 1, 1, maxTokens, List.of(), List.of(), 1), System.nanoTime(),
                TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    void withAFenceTheBatchThreadComputesOnTheComputeCpus() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"),
                "CPU binding is Linux only");
        java.util.BitSet allowed = CpuFence.parse(cpusAllowed());
        org.junit.jupiter.api.Assumptions.assumeTrue(allowed.cardinality() >= 2, "needs two CPUs");
        java.util.BitSet compute = new java.util.BitSet();
        compute.set(allowed.nextSetBit(0));
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 64));
        try (CpuFence fence = CpuFence.start(compute);
             BatchScheduler scheduler = new BatchScheduler(m.model(), m.tokenizer(), "tiny", ServeOptions.defaults(),
                     new ServerMetrics(), fence)) {
            List<String> onBatchThread = scheduler.callEach(List.of(1), (model, i) -> cpusAllowed())
                    .get(1, TimeUnit.MINUTES);
            assertThat(onBatchThread).containsExactly(CpuFence.format(compute));
            assertThat(cpusAllowed()).isEqualTo(CpuFence.format(fence.otherCpus()));
        }
        assertThat(cpusAllowed()).isEqualTo(CpuFence.format(allowed));
    }

    private static String cpusAllowed() {
        return CpuFenceTest.cpusAllowed("thread-self");
    }

    @Test
    void workOnTheModelRunsOneItemBetweenDecodeSteps() throws Exception {
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 512));
        try (BatchScheduler scheduler = scheduler(m)) {
            GenerationJob job = greedy(m, 400);
            scheduler.submit(job);
            while (job.generatedTokens() < 2) {
                Thread.sleep(1);
            }
            // each item notes how many tokens the running stream had when it ran
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            List<float[]> vectors = scheduler.callEach(Collections.nCopies(20, m.tokenizer().encode("a dog")),
                    (model, ids) -> {
                        seen.add(job.generatedTokens());
                        return OpenAiEndpoints.embed(model, ids);
                    }).get(1, TimeUnit.MINUTES);
            assertThat(vectors).hasSize(20);
            assertThat(vectors.get(19)).containsExactly(vectors.get(0));
            // one decode step between two items: the stream kept going while the embeddings were computed
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i)).as("tokens when item %d ran: %s", i, seen)
                        .isIn(seen.get(i - 1) + 1, 400);
            }
            job.cancel();
        }
    }

    @Test
    void theSchedulerWakesAWaitingRequestForItsTokens() throws Exception {
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 512));
        try (BatchScheduler scheduler = scheduler(m)) {
            GenerationJob job = greedy(m, 8);
            scheduler.submit(job);
            // each wait would last a minute if a step's tokens did not wake the reader
            List<GenerationJob.Event> events = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                List<GenerationJob.Event> seen = new ArrayList<>();
                while (seen.isEmpty() || !(seen.getLast() instanceof GenerationJob.Event.Finished)) {
                    seen.add(job.next(60_000));
                }
                return seen;
            });
            assertThat(events).hasSizeGreaterThanOrEqualTo(2).allMatch(e -> e != null
                    && !(e instanceof GenerationJob.Event.Failed));
            assertThat(((GenerationJob.Event.Finished) events.getLast()).result().generatedTokens()).isEqualTo(8);
        }
    }

    @Test
    void aPromptThatStartsLikeAnEarlierOneCopiesItsBlocksAndGetsTheSameTokens() throws Exception {
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 512));
        m.model().eval();
        m.model().freezeForInference();                                             // as ModelCatalog serves it
        String opening = "the cat sat on the mat, and the dog sat on a log";                 // 48 characters
        int[] whole = m.tokenizer().encode(opening);
        int[] sharesTwenty = m.tokenizer().encode(opening.substring(0, 20) + " where a bird sang");
        assertThat(whole).hasSize(48);
        ServerMetrics metrics = new ServerMetrics();
        List<GenerationResult> cold;
        try (BatchScheduler off = new BatchScheduler(m.model(), m.tokenizer(), "off",
                ServeOptions.defaults().withPrefixCache(0), new ServerMetrics(), null)) {
            cold = List.of(complete(off, whole, 0), complete(off, whole, 0), complete(off, sharesTwenty, 0));
        }
        try (BatchScheduler on = new BatchScheduler(m.model(), m.tokenizer(), "tiny", ServeOptions.defaults(), metrics,
                null)) {
            assertThat(complete(on, whole, 0).tokenIds()).containsExactly(cold.get(0).tokenIds());
            // the same prompt again: two whole blocks of 16 copied (the third holds the last token, which is read)
            assertThat(complete(on, whole, 32).tokenIds()).containsExactly(cold.get(1).tokenIds());
            // a prompt sharing its first 20 tokens: the first block only
            assertThat(complete(on, sharesTwenty, 16).tokenIds()).containsExactly(cold.get(2).tokenIds());
            assertThat(metrics.registry().get("hearth.prefix.cache").tag("model", "tiny").gauge().value())
                    .isPositive();
        }
        assertThat(metrics.registry().get("hearth.prompt.cached.tokens").tag("model", "tiny").counter().count())
                .isEqualTo(48.0);
        // a closed scheduler lets its blocks go (the gauge would otherwise keep them reachable)
        assertThat(metrics.registry().get("hearth.prefix.cache").tag("model", "tiny").gauge().value()).isZero();
    }

    @Test
    void promptsArrivingWhileAnotherRunsAreReadInItsStepAndGetTheTokensTheyGetAlone() throws Exception {
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 512));
        m.model().eval();
        m.model().freezeForInference();
        int[] greedyPrompt = m.tokenizer().encode("where a bird sang");
        List<int[]> twoPrompts = List.of(m.tokenizer().encode("the dog"), m.tokenizer().encode("on a mat"));
        // greedy (see complete): a bit changed anywhere shows in the tokens
        SamplingParams greedy = new SamplingParams(0, 0, 1, 1, 10, List.of(), List.of(), 1);
        ServeOptions noCache = ServeOptions.defaults().withPrefixCache(0);
        List<List<GenerationResult>> alone = new ArrayList<>();
        try (BatchScheduler s = new BatchScheduler(m.model(), m.tokenizer(), "tiny", noCache, new ServerMetrics(), null)) {
            alone.add(run(s, new GenerationJob(List.of(greedyPrompt), 1, greedy, System.nanoTime(),
                    TimeUnit.MINUTES.toNanos(1))));
            alone.add(run(s, new GenerationJob(twoPrompts, 2, greedy, System.nanoTime(), TimeUnit.MINUTES.toNanos(1))));
        }
        try (BatchScheduler s = new BatchScheduler(m.model(), m.tokenizer(), "tiny", noCache, new ServerMetrics(), null)) {
            GenerationJob long_ = greedy(m, 400);
            s.submit(long_);
            while (long_.generatedTokens() < 2) {
                Thread.sleep(1);
            }
            // both arrive while it runs: their prompts (17 rows, then 7 + 8) are read in its next steps
            List<List<GenerationResult>> together = List.of(
                    run(s, new GenerationJob(List.of(greedyPrompt), 1, greedy, System.nanoTime(),
                            TimeUnit.MINUTES.toNanos(1))),
                    run(s, new GenerationJob(twoPrompts, 2, greedy, System.nanoTime(), TimeUnit.MINUTES.toNanos(1))));
            assertThat(long_.done()).as("the long job still ran when the others were read").isFalse();
            long_.cancel();
            for (int j = 0; j < 2; j++) {
                assertThat(together.get(j)).hasSameSizeAs(alone.get(j));
                for (int c = 0; c < alone.get(j).size(); c++) {
                    assertThat(together.get(j).get(c).tokenIds()).as("job %d, choice %d", j, c)
                            .containsExactly(alone.get(j).get(c).tokenIds());
                }
            }
        }
    }

    /** Submits the job and waits for every choice to finish: their results, in the choices' order. */
    private static List<GenerationResult> run(BatchScheduler scheduler, GenerationJob job) throws Exception {
        scheduler.submit(job);
        GenerationResult[] results = new GenerationResult[job.choices()];
        for (int finished = 0; finished < results.length; ) {
            GenerationJob.Event e = job.next(60_000);
            assertThat(e).isNotNull().isNotInstanceOf(GenerationJob.Event.Failed.class);
            if (e instanceof GenerationJob.Event.Finished f) {
                results[f.choice()] = f.result();
                finished++;
            }
        }
        return List.of(results);
    }

    /**
     * A greedy completion of {@code ids} (the untrained model's logits are nearly even, so a changed
     * bit shows in its argmax, where a sampled draw would hide it), checking how many of its prompt
     * tokens came from the prefix cache.
     */
    private static GenerationResult complete(BatchScheduler scheduler, int[] ids, int cached) throws Exception {
        GenerationJob job = new GenerationJob(List.of(ids), 1, new SamplingParams(0, 0, 1, 1, 12, List.of(), List.of(),
                1), System.nanoTime(), TimeUnit.MINUTES.toNanos(1));
        scheduler.submit(job);
        while (true) {
            GenerationJob.Event e = job.next(60_000);
            assertThat(e).isNotNull().isNotInstanceOf(GenerationJob.Event.Failed.class);
            if (e instanceof GenerationJob.Event.Finished f) {
                assertThat(job.cachedPromptTokens()).isEqualTo(cached);
                return f.result();
            }
        }
    }

    @Test
    void eachDecodeStepRecordsItsBatchSizeAndTheModelsBusyTime() throws Exception {
        ModelFolder.Loaded m = ModelFolder.load(TestServer.modelFolder(dir.resolve("m"), 1, 512));
        ServerMetrics metrics = new ServerMetrics();
        long started = System.nanoTime();
        try (BatchScheduler scheduler = new BatchScheduler(m.model(), m.tokenizer(), "tiny", ServeOptions.defaults(),
                metrics, null)) {
            // three choices of one prompt: prefill chooses each one's first token, then every decode step
            // runs the three together, so there are (tokens - 1) steps of 3
            GenerationJob job = new GenerationJob(List.of(m.tokenizer().encode("the cat")), 3,
                    new SamplingParams(0, 0, 1, 1, 6, List.of(), List.of(), 1), System.nanoTime(),
                    TimeUnit.MINUTES.toNanos(1));
            scheduler.submit(job);
            int tokens = 0;
            for (int finished = 0; finished < 3; ) {
                GenerationJob.Event e = job.next(60_000);
                assertThat(e).isNotNull().isNotInstanceOf(GenerationJob.Event.Failed.class);
                if (e instanceof GenerationJob.Event.Finished f) {
                    tokens = f.result().generatedTokens();
                    finished++;
                }
            }
            var size = metrics.registry().get("hearth.batch.size").tag("model", "tiny").summary();
            assertThat(tokens).isBetween(1, 6);
            assertThat(size.count()).isEqualTo(tokens - 1);
            assertThat(size.totalAmount()).isEqualTo(3.0 * (tokens - 1));
            double busy = metrics.registry().get("hearth.model.busy").tag("model", "tiny").counter().count();
            assertThat(busy).isPositive().isLessThan((System.nanoTime() - started) / 1e9);
        }
        assertThat(metrics.scrape()).contains("hearth_batch_size_bucket{model=\"tiny\",le=\"3.0\"}",
                "hearth_model_busy_seconds_total{model=\"tiny\"}");
    }
}
