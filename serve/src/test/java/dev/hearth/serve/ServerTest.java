package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.store.AuditEntry;
import dev.hearth.store.RateLimit;
import dev.hearth.store.Role;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API against a real server: answers, streaming, auth, bad input, limits, audit and metrics. */
class ServerTest {
    private static TestServer s;

    @BeforeAll
    static void start() {
        s = new TestServer(TestServer.tempHome());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static String completion(String prompt, int maxTokens, long seed, double temperature) {
        return "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + ",\"seed\":" + seed
                + ",\"temperature\":" + temperature + "}";
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = TestServer.json(r).get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isEqualTo(type);
        if (code != null) {
            assertThat(e.get("code").asText()).isEqualTo(code);
        }
    }

    @Test
    void aCompletionHasTextUsageAndTheVersionThatAnswered() {
        HttpResponse<String> r = s.post("/v1/completions", s.user, completion("hello", 8, 1, 0.8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = TestServer.json(r);
        assertThat(j.get("object").asText()).isEqualTo("text_completion");
        assertThat(j.get("model").asText()).isEqualTo("tiny:1");
        assertThat(j.at("/choices/0/finish_reason").asText()).isIn("length", "stop");
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
        assertThat(j.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(j.at("/usage/total_tokens").asInt()).isEqualTo(5 + j.at("/usage/completion_tokens").asInt());
        // The same seed gives the same text.
        JsonNode again = TestServer.json(s.post("/v1/completions", s.user, completion("hello", 8, 1, 0.8)));
        assertThat(again.at("/choices/0/text").asText()).isEqualTo(j.at("/choices/0/text").asText());
    }

    @Test
    void aPromptThatStartsLikeAnEarlierOneReportsItsCachedTokens() {
        String opening = "you answer questions on the weather, briefly: ";                 // 46 characters
        JsonNode first = TestServer.json(s.post("/v1/completions", s.user, completion(opening + "rain?", 3, 1, 0)));
        JsonNode second = TestServer.json(s.post("/v1/completions", s.user, completion(opening + "snow?", 3, 1, 0)));
        assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as(first.toString()).isZero();
        // OpenAI's usage field: the two whole blocks of 16 tokens the prompts share came from the prefix cache
        assertThat(second.at("/usage/prompt_tokens").asInt()).isEqualTo(51);
        assertThat(second.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as(second.toString())
                .isEqualTo(32);
        assertThat(s.get("/metrics", s.auditor).body()).contains("hearth_prompt_cached_tokens_total{model=\"tiny:1\"}",
                "hearth_prefix_cache_bytes{model=\"tiny:1\"}");
    }

    @Test
    void nChoicesAndSeveralPromptsAnswerEach() {
        JsonNode j = TestServer.json(s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":[\"ab\",\"cd\"],\"n\":2,\"max_tokens\":4,\"seed\":3}"));
        assertThat(j.get("choices")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(j.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
        }
        // The choices of a prompt share one reading of it: greedily, each continues as a lone request does.
        String alone = TestServer.json(s.post("/v1/completions", s.user, completion("the dog", 12, 0, 0)))
                .at("/choices/0/text").asText();
        JsonNode three = TestServer.json(s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":\"the dog\",\"n\":3,\"max_tokens\":12,\"temperature\":0}"));
        assertThat(three.get("choices").findValuesAsText("text")).containsExactly(alone, alone, alone);
    }

    @Test
    void greedyTextIsTheSameAloneAndInABusyBatch() throws Exception {
        String body = completion("the cat sat", 20, 0, 0);
        String alone = TestServer.json(s.post("/v1/completions", s.user, body)).at("/choices/0/text").asText();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String b = i % 2 == 0 ? body : completion("other prompt " + i, 30, i, 1.0);
                futures.add(pool.submit(() -> TestServer.json(s.post("/v1/completions", s.user, b))
                        .at("/choices/0/text").asText()));
            }
            for (int i = 0; i < 8; i += 2) {
                assertThat(futures.get(i).get()).isEqualTo(alone);
            }
        }
    }

    @Test
    void streamedCompletionAndChatEndWithDone() {
        HttpResponse<String> r = s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":6,\"stream\":true,\"seed\":5,"
                        + "\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        StringBuilder text = new StringBuilder();
        int finishes = 0;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = read(e.substring(6));
            if (chunk.get("choices").isEmpty()) {
                assertThat(chunk.at("/usage/completion_tokens").asInt()).isEqualTo(6);
                continue;
            }
            text.append(chunk.at("/choices/0/text").asText());
            finishes += chunk.at("/choices/0/finish_reason").isNull() ? 0 : 1;
        }
        assertThat(finishes).isEqualTo(1);
        String whole = TestServer.json(s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":6,\"seed\":5}")).at("/choices/0/text").asText();
        assertThat(text.toString()).isEqualTo(whole);

        HttpResponse<String> chat = s.post("/v1/chat/completions", s.user, "{\"model\":\"tiny\",\"messages\":"
                + "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello\"}],"
                + "\"max_tokens\":5,\"stream\":true}");
        List<String> chatEvents = chat.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertThat(read(chatEvents.getFirst().substring(6)).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(read(chatEvents.getFirst().substring(6)).get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(chatEvents.getLast()).isEqualTo("data: [DONE]");
    }

    @Test
    void chatUsesTheTemplateAndAnswersAsTheAssistant() {
        JsonNode j = TestServer.json(s.post("/v1/chat/completions", s.user, "{\"model\":\"tiny\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":5,\"seed\":1}"));
        assertThat(j.get("object").asText()).isEqualTo("chat.completion");
        assertThat(j.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        // plain template: "user: hello\nassistant:" is 22 characters
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(22);
    }

    @Test
    void aHuggingFaceJinjaTemplateInTokenizerConfigWritesTheChat() throws Exception {
        java.nio.file.Path src = TestServer.modelFolder(s.home.resolve("src-jinja"), 3);
        java.nio.file.Files.writeString(src.resolve("tokenizer_config.json"), "{\"eos_token\": \"\\n\\n\", "
                + "\"chat_template\": \"{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                + "{{ raise_exception('roles must alternate user, assistant, user') }}{% endif %}"
                + "{{ m['role'][:1] }}: {{ m['content'] | trim }}\\n{% endfor %}"
                + "{% if add_generation_prompt %}a:{% endif %}\"}");
        s.store.registry().register("templated", src, s.home.resolve("models"));
        JsonNode j = TestServer.json(s.post("/v1/chat/completions", s.user, "{\"model\":\"templated\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\" hello \"}],\"max_tokens\":5,\"seed\":1}"));
        assertThat(j.at("/choices/0/message/role").asText()).as(j.toString()).isEqualTo("assistant");
        // the template writes "u: hello\na:": 11 characters
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(11);
        assertError(s.post("/v1/chat/completions", s.user, "{\"model\":\"templated\",\"messages\":"
                + "[{\"role\":\"assistant\",\"content\":\"hi\"}],\"max_tokens\":5}"), 400, "invalid_request_error", null);
        assertThat(s.post("/v1/chat/completions", s.user, "{\"model\":\"templated\",\"messages\":"
                + "[{\"role\":\"assistant\",\"content\":\"hi\"}],\"max_tokens\":5}").body())
                .contains("roles must alternate user, assistant, user");
    }

    @Test
    void embeddingsAreUnitVectorsOnePerInput() {
        JsonNode j = TestServer.json(s.post("/v1/embeddings", s.user,
                "{\"model\":\"tiny\",\"input\":[\"hello there\",\"good bye\"]}"));
        assertThat(j.get("data")).hasSize(2);
        JsonNode v = j.at("/data/0/embedding");
        assertThat(v).hasSize(32);
        double norm = 0;
        for (JsonNode x : v) {
            norm += x.asDouble() * x.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(19);
    }

    @Test
    void everyEndpointButHealthzNeedsAValidKeyOfTheRightRole() {
        assertThat(s.get("/healthz", null).statusCode()).isEqualTo(200);
        assertError(s.get("/v1/models", null), 401, "authentication_error", "missing_api_key");
        assertError(s.get("/v1/models", "hk-nope"), 401, "authentication_error", "invalid_api_key");
        assertError(s.post("/v1/completions", s.auditor, completion("a", 2, 1, 1)), 403, "permission_error", null);
        assertError(s.get("/metrics", s.user), 403, "permission_error", null);
        assertError(s.get("/v1/admin/keys", s.user), 403, "permission_error", null);
        assertThat(s.get("/metrics", s.auditor).statusCode()).isEqualTo(200);
        assertThat(s.get("/readyz", s.user).statusCode()).isEqualTo(200);

        var revoked = s.store.keys().create(Role.USER, "to revoke", null, null);
        assertThat(s.get("/v1/models", revoked.secret()).statusCode()).isEqualTo(200);
        s.store.keys().revoke(revoked.key().id());
        assertError(s.get("/v1/models", revoked.secret()), 401, "authentication_error", "revoked_api_key");
    }

    @Test
    void badRequestsGetClearOpenAiErrorsAndTheServerStaysUp() {
        assertError(s.post("/v1/completions", s.user, "{\"model\": \"tiny\", \"prompt\": "), 400,
                "invalid_request_error", "invalid_json");
        assertError(s.post("/v1/completions", s.user, "[1,2]"), 400, "invalid_request_error", "invalid_json");
        assertError(s.post("/v1/completions", s.user, completion("a", 2, 1, 1).replace("tiny", "nope")), 404,
                "not_found_error", "model_not_found");
        assertError(s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":\"ten\"}"),
                400, "invalid_request_error", null);
        HttpResponse<String> wrongType = s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":\"a\",\"temperature\":\"hot\"}");
        assertThat(TestServer.json(wrongType).at("/error/param").asText()).isEqualTo("temperature");
        assertError(s.post("/v1/completions", s.user, completion("a", -3, 1, 1)), 400, "invalid_request_error", null);
        assertError(s.post("/v1/completions", s.user, completion("a", 1_000_000, 1, 1)), 400,
                "invalid_request_error", null);
        assertError(s.post("/v1/completions", s.user, completion("abc ".repeat(20), 4, 1, 1)), 400,
                "invalid_request_error", "context_length_exceeded");
        assertError(s.post("/v1/completions", s.user, completion("abc", 62, 1, 1)), 400,
                "invalid_request_error", "context_length_exceeded");
        byte[] badUtf8 = "{\"model\":\"tiny\",\"prompt\":\"a\u0000\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8[badUtf8.length - 3] = (byte) 0xC3;                        // a lone lead byte
        assertError(s.postBytes("/v1/completions", s.user, badUtf8), 400, "invalid_request_error", "invalid_encoding");
        assertError(s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"" + "a".repeat(2 << 20)
                + "\"}"), 413, "invalid_request_error", "request_too_large");
        assertError(s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"a\",\"logprobs\":3}"), 400,
                "invalid_request_error", null);
        assertError(s.post("/v1/chat/completions", s.user, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"robot\","
                + "\"content\":\"x\"}]}"), 400, "invalid_request_error", null);
        assertError(s.get("/v2/nothing", s.user), 404, "not_found_error", "unknown_url");
        assertThat(s.post("/v1/completions", s.user, completion("a", 2, 1, 1)).statusCode()).isEqualTo(200);
    }

    @Test
    void aRefusedBodyIsReadSoItsClientGetsThe413() throws Exception {
        // the client sends its headers, pauses, then the body: a server that answered and closed at the headers
        // would meet the body with a reset, and the client would never read the 413
        int length = 2 << 20;
        try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + s.user + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);
            out.write(new byte[length]);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 413").contains("request_too_large");
        }
    }

    @Test
    void aStreamEndsAtDoneAndItsAuditRowFollows() throws InterruptedException {
        // the response closes at data: [DONE]; the row and the tokens charged are written right after
        long before = s.store.audit().tail(1).stream().mapToLong(AuditEntry::seq).max().orElse(0);
        HttpResponse<String> r = s.post("/v1/completions", s.user,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":4,\"stream\":true}");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        String id = read(events.getFirst().substring(6)).get("id").asText();
        List<AuditEntry> rows = List.of();
        for (int i = 0; i < 100 && rows.stream().noneMatch(e -> id.equals(e.record().requestId())); i++) {
            Thread.sleep(20);
            rows = s.store.audit().read(before, 100);
        }
        assertThat(rows).filteredOn(e -> id.equals(e.record().requestId())).singleElement().satisfies(e -> {
            assertThat(e.record().status()).isEqualTo(200);
            assertThat(e.record().completionTokens()).isEqualTo(4);
        });
    }

    @Test
    void theAuditLogRecordsEveryAttemptAndItsChainVerifies() {
        long before = s.store.audit().tail(1).stream().mapToLong(AuditEntry::seq).max().orElse(0);
        s.get("/v1/models", "hk-wrong");
        s.post("/v1/completions", s.user, completion("audit me", 3, 1, 1));
        s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"who\",\"max_tokens\":2,"
                + "\"user\":\"end-user-5f3a\"}");
        assertError(s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"who\",\"max_tokens\":2,"
                + "\"user\":\"" + "u".repeat(OpenAiEndpoints.MAX_END_USER + 1) + "\"}"), 400, "invalid_request_error",
                null);
        List<AuditEntry> rows = s.store.audit().read(before, 100);
        assertThat(rows).anySatisfy(e -> {
            assertThat(e.record().status()).isEqualTo(401);
            assertThat(e.record().keyId()).isNull();
        });
        assertThat(rows).anySatisfy(e -> {
            assertThat(e.record().endpoint()).isEqualTo("/v1/completions");
            assertThat(e.record().status()).isEqualTo(200);
            assertThat(e.record().modelVersion()).isEqualTo("tiny:1");
            assertThat(e.record().promptTokens()).isEqualTo(8);
            assertThat(e.record().completionTokens()).isEqualTo(3);
            assertThat(e.record().prompt()).isNull();              // prompts are kept only with --audit-prompts
            assertThat(e.record().requestId()).startsWith("cmpl-");  // the id the client saw, for feedback
            assertThat(e.record().endUser()).isNull();
        });
        assertThat(rows).anySatisfy(e -> {
            assertThat(e.record().status()).isEqualTo(200);
            assertThat(e.record().endUser()).isEqualTo("end-user-5f3a");   // OpenAI's user field
        });
        HttpResponse<String> verifyResponse = s.get("/v1/audit/verify", s.auditor);
        assertThat(verifyResponse.statusCode()).as(verifyResponse.body()).isEqualTo(200);
        JsonNode verify = TestServer.json(verifyResponse);
        assertThat(verify.get("problems")).isEmpty();
        assertThat(TestServer.json(s.get("/v1/audit?limit=2", s.auditor)).get("data")).hasSize(2);
        assertThat(TestServer.json(s.get("/v1/audit?after=" + before, s.auditor)).get("data").findValuesAsText("user"))
                .contains("end-user-5f3a");
    }

    @Test
    void metricsArePrometheusTextNamedHearth() {
        s.post("/v1/completions", s.user, completion("metrics", 4, 1, 1));
        String text = s.get("/metrics", s.auditor).body();
        assertThat(text).contains("hearth_time_to_first_token_seconds_bucket", "hearth_inter_token_latency_seconds",
                "hearth_e2e_request_latency_seconds", "hearth_queue_length", "hearth_running_requests",
                "hearth_prompt_tokens_total", "hearth_generation_tokens_total", "hearth_requests_total",
                "endpoint=\"/v1/completions\"");
        assertThat(text).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_compilation_time_ms_total",
                "process_cpu_usage", "process_uptime_seconds");
    }

    @Test
    void rateLimitsAndDailyQuotasRefuseWith429AndRetryAfter() {
        String limited = s.store.keys().create(Role.USER, "slow", RateLimit.parse("2/min"), null).secret();
        assertThat(s.get("/v1/models", limited).statusCode()).isEqualTo(200);
        assertThat(s.get("/v1/models", limited).statusCode()).isEqualTo(200);
        HttpResponse<String> third = s.get("/v1/models", limited);
        assertError(third, 429, "rate_limit_error", "rate_limit_exceeded");
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);

        String quota = s.store.keys().create(Role.USER, "small", null, 20L).secret();
        assertThat(s.post("/v1/completions", quota, completion("hello", 10, 1, 1)).statusCode()).isEqualTo(200);
        HttpResponse<String> over = s.post("/v1/completions", quota, completion("hello", 10, 1, 1));
        assertError(over, 429, "insufficient_quota", "insufficient_quota");
        assertThat(over.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void movingTheChampionSendsNewRequestsToTheNewVersion() {
        var v2 = s.store.registry().register("tiny", TestServer.modelFolder(s.home.resolve("src-2"), 2),
                s.home.resolve("models"));
        try {
            assertThat(TestServer.json(s.post("/v1/completions", s.user, completion("a", 2, 1, 1))).get("model")
                    .asText()).isEqualTo("tiny:1");
            assertThat(TestServer.json(s.post("/v1/completions", s.user,
                    completion("a", 2, 1, 1).replace("\"tiny\"", "\"tiny:2\""))).get("model").asText())
                    .isEqualTo("tiny:2");
            HttpResponse<String> moved = s.post("/v1/admin/models/tiny/aliases", s.admin,
                    "{\"alias\":\"champion\",\"version\":2}");
            assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
            assertThat(TestServer.json(s.post("/v1/completions", s.user, completion("a", 2, 1, 1))).get("model")
                    .asText()).isEqualTo("tiny:2");
            assertThat(s.post("/v1/admin/models/tiny/rollback", s.admin, "{}").statusCode()).isEqualTo(200);
            assertThat(TestServer.json(s.post("/v1/completions", s.user, completion("a", 2, 1, 1))).get("model")
                    .asText()).isEqualTo("tiny:1");
        } finally {
            assertThat(v2.version()).isEqualTo(2);
        }
    }

    @Test
    void adminsCreateAndRevokeKeysOverTheApi() {
        HttpResponse<String> created = s.post("/v1/admin/keys", s.admin, "{\"role\":\"user\",\"rate\":\"10/s\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = TestServer.json(created).get("key").asText();
        String id = TestServer.json(created).get("id").asText();
        assertThat(s.get("/v1/models", secret).statusCode()).isEqualTo(200);
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url() + "/v1/admin/keys/" + id))
                .header("Authorization", "Bearer " + s.admin).DELETE().build();
        try {
            assertThat(s.http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(s.get("/v1/models", secret).statusCode()).isEqualTo(401);
        assertThat(TestServer.json(s.get("/v1/admin/keys", s.admin)).get("data").toString()).doesNotContain(secret);
    }

    @Test
    void feedbackIsStoredAgainstTheRequest() {
        JsonNode j = TestServer.json(s.post("/v1/completions", s.user, completion("rate me", 2, 1, 1)));
        String id = j.get("id").asText();
        HttpResponse<String> r = s.post("/v1/feedback", s.user, "{\"id\":\"" + id
                + "\",\"rating\":1,\"comment\":\"good\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(s.store.feedback().list("tiny", 10)).anySatisfy(f -> {
            assertThat(f.requestId()).isEqualTo(id);
            assertThat(f.rating()).isEqualTo(1);
            assertThat(f.modelVersion()).isEqualTo("tiny:1");
        });
        assertError(s.post("/v1/feedback", s.user, "{\"id\":\"x\",\"rating\":9}"), 400, "invalid_request_error", null);
        assertError(s.post("/v1/feedback", s.user, "{\"id\":\"cmpl-nope\",\"rating\":1}"), 404, "not_found_error",
                "request_not_found");
        String other = s.store.keys().create(dev.hearth.store.Role.USER, "other", null, null).secret();
        assertError(s.post("/v1/feedback", other, "{\"id\":\"" + id + "\",\"rating\":-1}"), 404, "not_found_error",
                "request_not_found");
    }

    static JsonNode read(String json) {
        try {
            return TestServer.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }



}
