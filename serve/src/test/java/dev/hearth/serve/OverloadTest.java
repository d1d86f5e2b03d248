package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.server.catalog().runningRequests() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(s.server.catalog().runningRequests()).isZero();
            long auditDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.store.audit().tail(5).stream().noneMatch(e -> e.record().status() == 499)
                    && System.nanoTime() < auditDeadline) {
                Thread.sleep(20);
            }
            assertThat(s.store.audit().tail(5)).anySatisfy(e -> {
                assertThat(e.record().status()).isEqualTo(499);
                assertThat(e.record().completionTokens()).isLessThan(16000);
            });
        }
    }
}
