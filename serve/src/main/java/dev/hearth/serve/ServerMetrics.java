package dev.hearth.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, all named {@code hearth_*}: latency histograms (time to first
 * token, inter-token latency, end-to-end latency, in seconds), queue length and running
 * requests, prompt and generated token counters, requests by endpoint and status, and rejected
 * requests by reason; per model, the sequences in each decode step and the seconds its thread
 * spent computing, which tell an operator how full the batch runs and how busy the model is
 * (TGI's batch-size histograms, vLLM's tokens per engine step); beside them Micrometer's
 * standard {@code jvm_*} and {@code process_*} meters (heap and other memory, threads, JIT
 * compilation time, CPU, uptime), so an operator sees a server still warming up or short of
 * memory. {@link #scrape()} gives the text exposition format.
 */
public final class ServerMetrics {
    private static final Duration[] LATENCY_BUCKETS = buckets(
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10,
            20, 30, 60);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);   // jvm_compilation_time_ms_total: the JIT's work so far
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Where other parts of the server register their meters. */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** Registers the gauges of queue length and running requests. */
    public void watch(Supplier<Number> queueLength, Supplier<Number> running) {
        Gauge.builder("hearth.queue.length", queueLength).description("Requests waiting for a batch slot")
                .register(registry);
        Gauge.builder("hearth.running.requests", running).description("Requests in the running batch")
                .register(registry);
    }

    /** Registers the gauge of a model's prefix cache: the bytes of keys and values it keeps. */
    void watchPrefixCache(String model, Supplier<Number> bytes) {
        Gauge.builder("hearth.prefix.cache", bytes).baseUnit("bytes").description("Keys and values of prompt prefixes"
                + " kept for reuse").tag("model", model).register(registry);
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }

    /** The meters of one served model version, looked up once (the scheduler records per token). */
    public record ModelMeters(Timer timeToFirstToken, Timer interTokenLatency, Timer endToEndLatency, Counter promptTokens,
                              Counter cachedPromptTokens, Counter generatedTokens, DistributionSummary batchSize, Counter busySeconds) {

        /** Counts the time since {@code startNanos} ({@link System#nanoTime()}) as the model's thread computing. */
        void busySince(long startNanos) {
            busySeconds.increment((System.nanoTime() - startNanos) / 1e9);
        }
    }

    /** Buckets of {@code hearth_batch_size}: every size up to 8, then doubling. */
    private static final double[] BATCH_BUCKETS = {1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 128, 256};

    public ModelMeters forModel(String model) {
        return new ModelMeters(
                timer("hearth.time.to.first.token", "From arrival to the first generated token", model),
                timer("hearth.inter.token.latency", "Between successive tokens of a sequence", model),
                timer("hearth.e2e.request.latency", "From arrival to the last token", model),
                Counter.builder("hearth.prompt.tokens").description("Prompt tokens read").tag("model", model)
                        .register(registry),
                Counter.builder("hearth.prompt.cached.tokens").description("Prompt tokens whose keys and values"
                        + " came from the prefix cache instead of being read").tag("model", model).register(registry),
                Counter.builder("hearth.generation.tokens").description("Tokens generated").tag("model", model)
                        .register(registry),
                DistributionSummary.builder("hearth.batch.size").description("Sequences in each decode step")
                        .tag("model", model).serviceLevelObjectives(BATCH_BUCKETS).register(registry),
                Counter.builder("hearth.model.busy").baseUnit("seconds").description("Time the model's thread spent"
                        + " computing (prompts, decode steps, embeddings), not waiting for work").tag("model", model)
                        .register(registry));
    }

    private Timer timer(String name, String description, String model) {
        return Timer.builder(name).description(description).tag("model", model).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    public void request(String endpoint, int status) {
        Counter.builder("hearth.requests").description("Requests by endpoint and HTTP status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry).increment();
    }

    /** A request turned away: queue_full, rate_limited, quota_exceeded, unauthenticated, forbidden, invalid. */
    public void rejected(String reason) {
        Counter.builder("hearth.rejected.requests").description("Requests refused, by reason").tag("reason", reason)
                .register(registry).increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
