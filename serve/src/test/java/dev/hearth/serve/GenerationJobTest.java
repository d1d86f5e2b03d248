package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.engine.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GenerationJobTest {

    private static GenerationJob job() {
        return new GenerationJob(List.of(new int[] {1, 2}), 1, new SamplingParams(0, 0, 1, 1, 4, List.of(), List.of(), 1),
                System.nanoTime(), TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    void anEventAlreadyWaitingIsTakenWithoutAWakeUp() throws Exception {
        GenerationJob job = job();
        job.onToken(0, "hi");
        assertThat(job.hasEvents()).isTrue();
        assertThat(job.next(0)).isEqualTo(new GenerationJob.Event.Delta(0, "hi"));
        assertThat(job.next(10)).as("nothing more came").isNull();
    }

    /** Starts a thread that reads {@code count} events of the job, and returns once it waits for the first. */
    private static CompletableFuture<List<GenerationJob.Event>> parkedReader(GenerationJob job, int count)
            throws InterruptedException {
        CompletableFuture<List<GenerationJob.Event>> taken = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                List<GenerationJob.Event> events = new ArrayList<>();
                while (events.size() < count) {
                    events.add(job.next(60_000));
                }
                taken.complete(events);
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        });
        while (reader.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
        return taken;
    }

    @Test
    void aWaitingThreadTakesTheTokensOfAStepWhenWoken() throws Exception {
        GenerationJob job = job();
        CompletableFuture<List<GenerationJob.Event>> taken = parkedReader(job, 2);
        job.onToken(0, "a");
        job.onToken(0, "b");
        job.wake();
        assertThat(taken.get(10, TimeUnit.SECONDS))
                .containsExactly(new GenerationJob.Event.Delta(0, "a"), new GenerationJob.Event.Delta(0, "b"));
    }

    @Test
    void aFailureWakesTheRequestAtOnce() throws Exception {
        GenerationJob job = job();
        CompletableFuture<List<GenerationJob.Event>> taken = parkedReader(job, 1);
        job.fail(ApiException.timeout());
        assertThat(taken.get(10, TimeUnit.SECONDS).getFirst()).isInstanceOf(GenerationJob.Event.Failed.class);
        assertThat(job.done()).isTrue();
    }

    @Test
    void anInterruptedReaderStopsWaiting() throws Exception {
        GenerationJob job = job();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> job.next(60_000)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }
}
