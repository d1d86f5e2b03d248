package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.lab.data.SupportConversations;
import dev.hearth.serve.HearthServer;
import dev.hearth.serve.ServeOptions;
import dev.hearth.store.CreatedKey;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hearth bench serve}: a load test of the API with the definitions of vLLM's serving
 * benchmark. Requests arrive as a Poisson process (or all at once), at most {@code concurrency}
 * in flight, each a streamed completion of a support-conversation prompt with a fixed number of
 * new tokens, or one drawn uniformly around it ({@code --range-ratio}; EOS ignored). Per request:
 * TTFT (send to first token), TPOT ((end-to-end - TTFT) / (output tokens - 1)), ITL (gaps between
 * streamed chunks), end-to-end latency; overall: request and token throughput.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test the API: Poisson arrivals, streamed completions; prints TTFT, time per output token,",
            "inter-token latency and end-to-end latency (mean, p50, p99) and request and token throughput.",
            "Without --url it starts a server in this process on the workspace's registry."})
final class ServeBenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    BenchCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--concurrency", defaultValue = "8", paramLabel = "N", description = "Most requests in flight.")
    int concurrency;

    @Option(names = "--requests", defaultValue = "64", paramLabel = "M", description = "Requests to send.")
    int requests;

    @Option(names = "--rate", defaultValue = "inf", paramLabel = "R",
            description = "Mean arrivals per second (Poisson), or inf to send as fast as concurrency allows.")
    String rate;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N", description = "New tokens per request.")
    int maxTokens;

    @Option(names = "--range-ratio", defaultValue = "0", paramLabel = "R", description = {"Vary the new tokens:"
            + " each request's drawn uniformly from N x (1 - R) to N x (1 + R), 0 <= R < 1, as vLLM's"
            + " --random-range-ratio does (default 0: every request N). Equal lengths end together, so"
            + " concurrent streams move in waves; varied ones keep a batch's slots filling as others end."})
    double rangeRatio;

    @Option(names = "--model", paramLabel = "NAME", description = "Model to ask (default: the first registered).")
    String model;

    @Option(names = "--url", paramLabel = "URL", description = "A running server (then --key is needed).")
    String url;

    @Option(names = "--key", paramLabel = "KEY", description = "A user key for --url (default: $HEARTH_API_KEY).")
    String key;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of arrivals and prompts.")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path out;

    @Option(names = "--warmup", defaultValue = "auto", paramLabel = "N|auto", description = {"Requests sent first,"
            + " at the same concurrency, and not counted, so the JIT has compiled the client's and the server's paths"
            + " before the clock starts. auto (the default): rounds of max(32, 8 x concurrency) requests until a"
            + " round's JIT compilation in this client takes under 2% of the round's time, for at most 60 s."})
    String warmup;

    /** A warm-up round's JIT compilation time over its wall time below which the client counts as warm. */
    static final double SETTLED_COMPILATION_SHARE = 0.02;

    /** The longest an automatic warm-up runs before the clock starts anyway. */
    static final long WARMUP_LIMIT_NANOS = 60_000_000_000L;

    /** One request's timings, in seconds. */
    private record Sample(double ttft, double e2e, int outputTokens, int promptTokens, List<Double> itl, String error) {}

    @Override
    public Integer call() throws Exception {
        double perSecond = rate.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(rate);
        if (concurrency < 1 || requests < 1 || maxTokens < 1 || !(perSecond > 0)) {
            throw new HearthException("--concurrency, --requests, --max-tokens and --rate must be positive");
        }
        if (!(rangeRatio >= 0 && rangeRatio < 1)) {
            throw new HearthException("--range-ratio takes a fraction from 0 up to (not including) 1, not " + rangeRatio);
        }
        int warmupRequests = warmupRequests();
        if (System.getProperty("http.maxConnections") == null) {
            // Each request's connection is kept for the next, as vLLM's benchmark keeps its
            // connections (a pool as large as the concurrency). The JDK keeps at most 5 idle ones per
            // server unless told more (read when the first connection is made): at concurrency 8,
            // 20 connections served 400 requests, as streams ending together found the pool full.
            System.setProperty("http.maxConnections", String.valueOf(Math.max(5, concurrency)));
        }
        PrintWriter o = spec.commandLine().getOut();
        Store store = null;
        HearthServer server = null;
        CreatedKey temporary = null;
        try {
            if (url == null) {
                store = parent.root.openStore();
                if (store.registry().names().isEmpty()) {
                    throw new HearthException("no model is registered in " + store.url() + "; run ./hearth demo, or"
                            + " hearth models register DIR --name NAME");
                }
                server = new HearthServer(store, ServeOptions.defaults().withPort(0).withQueue(Math.max(16,
                        concurrency), Math.max(64, requests))).start();
                server.loadModels();
                temporary = store.keys().create(Role.USER, "hearth bench serve", null, null);
                url = server.url();
                key = temporary.secret();
                if (model == null) {
                    model = store.registry().names().getFirst();
                }
            } else if (key == null) {
                key = System.getenv("HEARTH_API_KEY");
                if (key == null || model == null) {
                    throw new HearthException("--url needs --model and a user key (--key or $HEARTH_API_KEY)");
                }
            }
            o.printf("benchmarking %s at %s: %d requests, concurrency %d, rate %s/s, %s new tokens each%n", model,
                    url, requests, concurrency, rate, rangeRatio == 0 ? Integer.toString(maxTokens)
                            : shortest() + "-" + longest() + " (uniform)");
            o.flush();
            run(o, perSecond, warmupRequests);
        } finally {
            if (server != null) {
                server.close();
            }
            if (temporary != null) {
                store.keys().revoke(temporary.key().id());
            }
            if (store != null) {
                store.close();
            }
        }
        return 0;
    }

    /** The fixed number of warm-up requests, or -1 for {@code auto}. */
    private int warmupRequests() {
        if (warmup.equals("auto")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(warmup);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw new HearthException("--warmup takes a number of requests (0 or more) or auto, not '" + warmup + "'");
    }

    private void run(PrintWriter o, double perSecond, int warmupRequests) throws Exception {
        List<String> prompts = prompts();
        warmUp(o, prompts, warmupRequests);
        long start = System.nanoTime();
        List<Sample> samples = sendAll(prompts, requests, perSecond, new Random(seed), new Random(seed + 2));
        double seconds = (System.nanoTime() - start) / 1e9;
        report(o, samples, seconds);
    }

    /**
     * Sends warm-up requests as fast as the concurrency allows: {@code fixed} of them, or (-1) rounds
     * until this JVM's JIT has settled. On a small machine the client shares the cores with the
     * server, and a client still compiling takes them from the server at high concurrency only (a
     * single stream leaves a core free), which understated batching by 20-40% here.
     */
    private void warmUp(PrintWriter o, List<String> prompts, int fixed) throws InterruptedException {
        Random arrivals = new Random(seed + 1);
        Random lengths = new Random(seed + 3);
        if (fixed >= 0) {
            checkWarm(sendAll(prompts, fixed, Double.POSITIVE_INFINITY, arrivals, lengths));
            return;
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        int round = Math.max(32, 8 * concurrency);
        long start = System.nanoTime();
        int sent = 0;
        boolean settled = false;
        while (!settled && System.nanoTime() - start < WARMUP_LIMIT_NANOS) {
            long compiled = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            checkWarm(sendAll(prompts, round, Double.POSITIVE_INFINITY, arrivals, lengths));
            sent += round;
            double wallMillis = (System.nanoTime() - t0) / 1e6;
            settled = jit.getTotalCompilationTime() - compiled < SETTLED_COMPILATION_SHARE * wallMillis;
        }
        o.printf(Locale.ROOT, "warm-up: %d requests in %.1f s, %s%n", sent, (System.nanoTime() - start) / 1e9,
                settled ? "the client's JIT has settled" : "stopped at the " + WARMUP_LIMIT_NANOS / 1_000_000_000L
                        + " s limit with the client's JIT still busy");
        o.flush();
    }

    private static void checkWarm(List<Sample> warm) {
        warm.stream().filter(s -> s.error != null).findFirst().ifPresent(s -> {
            throw new HearthException("the warm-up request failed: " + s.error);
        });
    }

    /** The fewest new tokens a request asks for: N x (1 - R), rounded, at least 1. */
    private int shortest() {
        return Math.max(1, (int) Math.round(maxTokens * (1 - rangeRatio)));
    }

    /** The most new tokens a request asks for: N x (1 + R), rounded. */
    private int longest() {
        return Math.max(shortest(), (int) Math.round(maxTokens * (1 + rangeRatio)));
    }

    /**
     * Sends {@code count} requests, at most {@code concurrency} in flight, arriving at
     * {@code perSecond}, each asking for a number of new tokens drawn from {@code lengths} in
     * request order (so a seed gives the same lengths however the requests interleave).
     */
    private List<Sample> sendAll(List<String> prompts, int count, double perSecond, Random arrivals, Random lengths)
            throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (Double.isFinite(perSecond)) {
                Thread.sleep((long) (-Math.log(1 - arrivals.nextDouble()) / perSecond * 1000));
            }
            int newTokens = shortest() + lengths.nextInt(longest() - shortest() + 1);
            slots.acquire();
            String prompt = prompts.get(i % prompts.size());
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    samples.add(send(prompt, newTokens));
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return samples;
    }

    private List<String> prompts() {
        List<String> out = new ArrayList<>();
        for (SupportConversations.Conversation c : SupportConversations.generate(200, seed)) {
            String text = c.text();
            int cut = text.indexOf('\n');
            String first = cut > 0 ? text.substring(0, cut) : text;
            out.add(first + "\n" + (c.language().equals("en") ? SupportConversations.AGENT
                    : SupportConversations.AGENT_ZH));
        }
        return out;
    }

    /**
     * One streamed completion over a plain blocking connection, on a platform thread of its own:
     * the JDK's HttpURLConnection costs the client a fraction of what java.net.http's reactive
     * line subscriber does per chunk, and a platform thread's blocking read a fraction of a
     * virtual thread's park and wake-up for every streamed token. On a small machine the client
     * shares the cores with the server, so its cost per token shows in the server's throughput.
     */
    private Sample send(String prompt, int newTokens) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", prompt);
        body.put("max_tokens", newTokens);
        body.put("temperature", 0.8);
        body.put("stream", true);
        body.put("ignore_eos", true);
        body.putObject("stream_options").put("include_usage", true);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        double ttft = -1;
        long last = 0;
        List<Double> itl = new ArrayList<>();
        int outputTokens = 0;
        int promptTokens = 0;
        HttpURLConnection c = null;
        boolean reusable = false;
        try {
            c = (HttpURLConnection) URI.create(url + "/v1/completions").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Authorization", "Bearer " + key);
            c.setRequestProperty("Content-Type", "application/json");
            c.setFixedLengthStreamingMode(bytes.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(bytes);
            }
            int status = c.getResponseCode();
            if (status != 200) {
                try (InputStream err = c.getErrorStream()) {
                    return new Sample(0, 0, 0, 0, List.of(), "HTTP " + status + " "
                            + (err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                        continue;
                    }
                    if (line.contains("\"usage\":{") || line.startsWith("data: {\"error\"")) {
                        JsonNode chunk = JSON.readTree(line.substring(6));
                        if (chunk.has("error")) {
                            return new Sample(0, 0, 0, 0, List.of(), chunk.get("error").path("message").asText());
                        }
                        outputTokens = chunk.get("usage").path("completion_tokens").asInt();
                        promptTokens = chunk.get("usage").path("prompt_tokens").asInt();
                        continue;
                    }
                    // A text event: only whether it carries text matters here, so it is not parsed
                    // (on a small machine the client's parsing takes cores from the server).
                    if (line.contains("\"text\":\"\"") || !line.contains("\"text\":")) {
                        continue;
                    }
                    long now = System.nanoTime();
                    if (ttft < 0) {
                        ttft = (now - t0) / 1e9;
                    } else {
                        itl.add((now - last) / 1e9);
                    }
                    last = now;
                }
            }
            reusable = true;                       // read to its end: the connection goes back to the pool
        } catch (IOException e) {
            return new Sample(0, 0, 0, 0, List.of(), e.toString());
        } finally {
            if (c != null && !reusable) {
                c.disconnect();
            }
        }
        return new Sample(Math.max(0, ttft), (System.nanoTime() - t0) / 1e9, outputTokens, promptTokens, itl, null);
    }

    private void report(PrintWriter o, List<Sample> samples, double seconds) throws IOException {
        List<Sample> ok = samples.stream().filter(s -> s.error == null).toList();
        List<Sample> failed = samples.stream().filter(s -> s.error != null).toList();
        long outTokens = ok.stream().mapToLong(Sample::outputTokens).sum();
        long inTokens = ok.stream().mapToLong(Sample::promptTokens).sum();
        double[] ttft = ok.stream().mapToDouble(Sample::ttft).toArray();
        double[] e2e = ok.stream().mapToDouble(Sample::e2e).toArray();
        double[] tpot = ok.stream().filter(s -> s.outputTokens > 1)
                .mapToDouble(s -> (s.e2e - s.ttft) / (s.outputTokens - 1)).toArray();
        double[] itl = ok.stream().flatMap(s -> s.itl.stream()).mapToDouble(Double::doubleValue).toArray();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", model);
        result.put("requests", samples.size());
        result.put("failed", failed.size());
        result.put("concurrency", concurrency);
        result.put("rate", rate);
        result.put("max_tokens", maxTokens);
        result.put("range_ratio", rangeRatio);
        result.put("output_tokens", outTokens);
        result.put("duration_s", seconds);
        result.put("request_throughput", ok.size() / seconds);
        result.put("output_token_throughput", outTokens / seconds);
        result.put("total_token_throughput", (inTokens + outTokens) / seconds);
        o.printf(Locale.ROOT, "%n successful requests       %d (failed %d)%n", ok.size(), failed.size());
        if (!failed.isEmpty()) {
            o.printf(Locale.ROOT, " first failure             %s%n", failed.getFirst().error);
        }
        o.printf(Locale.ROOT, " duration                  %.2f s%n", seconds);
        o.printf(Locale.ROOT, " request throughput        %.2f req/s%n", ok.size() / seconds);
        o.printf(Locale.ROOT, " output token throughput   %.1f tok/s%n", outTokens / seconds);
        o.printf(Locale.ROOT, " total token throughput    %.1f tok/s%n", (inTokens + outTokens) / seconds);
        o.printf(" %-26s %10s %10s %10s%n", "(ms)", "mean", "p50", "p99");
        for (Map.Entry<String, double[]> e : Map.of("time to first token", ttft, "time per output token", tpot,
                "inter-token latency", itl, "end-to-end latency", e2e).entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(List.of("time to first token",
                        "time per output token", "inter-token latency", "end-to-end latency")::indexOf))).toList()) {
            double[] v = e.getValue();
            Map<String, Double> stats = Map.of("mean", mean(v) * 1000, "p50", percentile(v, 50) * 1000, "p99",
                    percentile(v, 99) * 1000);
            o.printf(Locale.ROOT, " %-26s %10.1f %10.1f %10.1f%n", e.getKey(), stats.get("mean"), stats.get("p50"),
                    stats.get("p99"));
            result.put(e.getKey().replace(' ', '_') + "_ms", stats);
        }
        for (Sample s : failed.stream().limit(3).toList()) {
            o.println(" failed: " + s.error);
        }
        if (out != null) {
            Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            o.println(" written to " + out);
        }
    }

    private static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The nearest-rank percentile after linear interpolation, as numpy's default computes it. */
    private static double percentile(double[] v, double p) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

}
