package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Overload, deadlines and clients that go away: refused or ended quickly, never a hang. */
class OverloadTest {

    private static String longCompletion(int maxTokens, boolean stream) {
        return "{\"model\":\"tiny\",\"prompt\":\"go\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":"
                + stream + "}";
    }

    @Test
    void pastTheQueueRequestsAreRefusedWith429AndRetryAfter() throws Exception {
        try (TestServer s = new TestServer(TestServer.tempHome(), ServeOptions.defaults().withQueue(1, 1), 2048)) {
            List<Future<HttpResponse<String>>> all = new ArrayList<>();
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 12; i++) {
                    all.add(pool.submit(() -> s.post("/v1/completions", s.user, longCompletion(300, false))));
                }
            }
            int ok = 0;
            int refused = 0;
            for (Future<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 429) {
                    refused++;
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(TestServer.json(r).at("/error/code").asText()).isEqualTo("queue_full");
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    ok++;
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(1);
            assertThat(refused).isGreaterThanOrEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
            assertThat(s.get("/metrics", s.auditor).body()).contains("hearth_rejected_requests_total{reason=\"queue_full\"}");
            assertThat(s.post("/v1/completions", s.user, longCompletion(3, false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRequestPastItsTimeoutEndsWith504() {
        ServeOptions o = ServeOptions.defaults().withLimits(1 << 20, 4096, Duration.ofMillis(150), Duration.ofSeconds(30));
        try (TestServer s = new TestServer(TestServer.tempHome(), o, 4096)) {
            var r = s.post("/v1/completions", s.user, longCompletion(4000, false));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(TestServer.json(r).at("/error/code").asText()).isEqualTo("request_timeout");
        }
    }

    @Test
    void aClientThatHangsUpFreesItsSlotAndIsAudited() throws Exception {
        // a long generation (16,000 tokens), so that the hang-up is seen long before it could end by itself even on
        // a loaded machine (4,000 tokens once finished in 3.3 s there before the closed connection surfaced)
        ServeOptions longer = ServeOptions.defaults().withLimits(1 << 20, 16000, java.time.Duration.ofMinutes(2),
                java.time.Duration.ofSeconds(30));
        try (TestServer s = new TestServer(TestServer.tempHome(), longer, 16384)) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(s.url() + "/v1/completions"))
                    .header("Authorization", "Bearer " + s.user).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(longCompletion(16000, true))).build();
            HttpResponse<InputStream> r = s.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                assertThat(lines.readLine()).startsWith("data: ");
                assertThat(s.server.catalog().runningRequests()).isEqualTo(1);
            }
            awaitIdle(s, 30);
            assertThat(s.server.catalog().runningRequests()).isZero();
            assertThat(awaitAudited(s, "/v1/completions")).satisfies(e -> {
                assertThat(e.status()).isEqualTo(499);
                assertThat(e.completionTokens()).isLessThan(16000);
            });
        }
    }

    /** A POST as raw bytes, for what java.net.http cannot do: hang up mid-request, pipeline. */
    private static String rawPost(TestServer s, String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + s.user
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n" + body;
    }

    private static Socket connect(TestServer s) throws IOException {
        URI u = URI.create(s.url());
        Socket socket = new Socket(u.getHost(), u.getPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** One response read off a raw connection: its head (status line and headers) and its body (Content-Length). */
    private record RawResponse(String head, String body) {}

    private static RawResponse readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed in the response head: " + head);
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = Integer.parseInt(h.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .findFirst().orElseThrow(() -> new IOException("no Content-Length in " + h)).substring(15).trim());
        return new RawResponse(h, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    /** The audit row of the latest request to {@code endpoint}, waiting up to 30 s for it to be written. */
    private static dev.hearth.store.AuditRecord awaitAudited(TestServer s, String endpoint) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var rows = s.store.audit().tail(5).stream().map(e -> e.record())
                    .filter(r -> r.endpoint().equals(endpoint)).toList();
            if (!rows.isEmpty()) {
                return rows.getLast();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no audit row for " + endpoint + " within 30 s");
    }

    private static void awaitIdle(TestServer s, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (s.server.catalog().runningRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aClientThatHangsUpBeforeAnythingIsWrittenFreesItsSlotAndIsAudited() throws Exception {
        // not streamed: nothing is written until the end, so only reading the connection shows the hang-up
        ServeOptions longer = ServeOptions.defaults().withLimits(1 << 20, 16000, java.time.Duration.ofMinutes(2),
                java.time.Duration.ofSeconds(30));
        try (TestServer s = new TestServer(TestServer.tempHome(), longer, 16384)) {
            long generated;
            try (Socket socket = connect(s)) {
                socket.getOutputStream().write(rawPost(s, "/v1/completions", longCompletion(16000, false))
                        .getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (s.server.catalog().runningRequests() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(s.server.catalog().runningRequests()).isEqualTo(1);
            }
            awaitIdle(s, 30);
            assertThat(s.server.catalog().runningRequests()).isZero();
            assertThat(awaitAudited(s, "/v1/completions")).satisfies(e -> {
                assertThat(e.status()).isEqualTo(499);
                assertThat(e.error()).contains("closed the connection");
                assertThat(e.completionTokens()).isLessThan(16000);
            });
        }
    }

    @Test
    void watchingForHangUpsLeavesKeptAliveConnectionsWorking() throws Exception {
        try (TestServer s = new TestServer(TestServer.tempHome(), ServeOptions.defaults(), 2048);
             Socket socket = connect(s)) {
            InputStream in = socket.getInputStream();
            for (String body : List.of(longCompletion(5, false), longCompletion(5, true), longCompletion(5, false))) {
                socket.getOutputStream().write(rawPost(s, "/v1/completions", body).getBytes(StandardCharsets.UTF_8));
                if (body.contains("\"stream\":true")) {
                    // chunked event stream: read up to its end
                    ByteArrayOutputStream seen = new ByteArrayOutputStream();
                    while (!seen.toString(StandardCharsets.UTF_8).contains("data: [DONE]\n\n\r\n0\r\n\r\n")) {
                        int c = in.read();
                        assertThat(c).as("the stream ended early: %s", seen).isNotNegative();
                        seen.write(c);
                    }
                    assertThat(seen.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
                } else {
                    RawResponse r = readResponse(in);
                    assertThat(r.head()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Connection: close");
                    assertThat(TestServer.json(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(5);
                }
            }
        }
    }

    @Test
    void aPipelinedRequestIsNotAnsweredDamagedButLeftForTheClientToSendAgain() throws Exception {
        ServeOptions longer = ServeOptions.defaults().withLimits(1 << 20, 4000, java.time.Duration.ofMinutes(2),
                java.time.Duration.ofSeconds(30));
        try (TestServer s = new TestServer(TestServer.tempHome(), longer, 4096); Socket socket = connect(s)) {
            socket.getOutputStream().write(rawPost(s, "/v1/completions", longCompletion(3000, false))
                    .getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.server.catalog().runningRequests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // the next request, sent while the first is generating: the watch reads its first byte
            socket.getOutputStream().write(rawPost(s, "/v1/completions", longCompletion(3, false))
                    .getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            RawResponse r = readResponse(in);
            assertThat(r.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("Connection: close");
            assertThat(TestServer.json(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(3000);
            assertThat(in.read()).as("the second request is not answered").isEqualTo(-1);
            assertThat(s.post("/v1/completions", s.user, longCompletion(3, false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void embeddingsWhoseClientHangsUpAreStoppedAndAudited() throws Exception {
        // 64 inputs of 4,000 tokens: far longer to compute than it takes to notice the hang-up
        ServeOptions big = ServeOptions.defaults().withLimits(8 << 20, 4096, java.time.Duration.ofMinutes(2),
                java.time.Duration.ofSeconds(30));
        try (TestServer s = new TestServer(TestServer.tempHome(), big, 4096)) {
            String ids = String.join(",", java.util.Collections.nCopies(4000, "5"));
            String input = String.join(",", java.util.Collections.nCopies(64, "[" + ids + "]"));
            try (Socket socket = connect(s)) {
                socket.getOutputStream().write(rawPost(s, "/v1/embeddings", "{\"model\":\"tiny\",\"input\":[" + input
                        + "]}").getBytes(StandardCharsets.UTF_8));
                Thread.sleep(300);
            }
            assertThat(awaitAudited(s, "/v1/embeddings")).satisfies(e -> {
                assertThat(e.status()).isEqualTo(499);
                assertThat(e.error()).contains("before the embeddings were computed");
            });
            var r = s.post("/v1/embeddings", s.user, "{\"model\":\"tiny\",\"input\":\"hello\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }
}
