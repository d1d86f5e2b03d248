package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.store.AuditRecord;
import dev.hearth.store.Store;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth models, keys and audit from the command line, on the workspace's SQLite store. */
class RegistryCommandsTest {

    @TempDir
    Path home;

    private record Run(int code, String out, String err) {}

    private Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        int code = Hearth.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private Path model(String name, long seed) {
        CharTokenizer tok = CharTokenizer.train("abcdefgh ");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 16, 1, 2, 1, 8, 16, 10000f, 1e-6f, false, false, false,
                0f), new Rng(seed));
        Path dir = home.resolve("src").resolve(name);
        ModelFolder.save(dir, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    @Test
    void registerListAliasAndRollBack() {
        Run r1 = hearth("models", "register", model("a", 1).toString(), "--name", "bot");
        assertThat(r1.code()).as(r1.err()).isZero();
        assertThat(r1.out()).contains("registered bot:1", "{champion=1}");
        assertThat(hearth("models", "register", model("b", 2).toString(), "--name", "bot").out())
                .contains("registered bot:2");
        assertThat(hearth("models", "alias", "bot", "2", "champion").out()).contains("bot@champion -> bot:2");
        assertThat(hearth("models", "list").out()).contains("bot", "[champion]");
        assertThat(hearth("models", "rollback", "bot").out()).contains("bot@champion -> bot:1");
        Run none = hearth("models", "rollback", "bot");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("error: ");
        Run bad = hearth("models", "register", home.resolve("nope").toString(), "--name", "bot");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("nope");
        Run badName = hearth("models", "register", model("c", 3).toString(), "--name", "Bad Name!");
        assertThat(badName.code()).isEqualTo(1);
    }

    @Test
    void benchServeWarmsUpThenMeasuresEveryRequest() throws Exception {
        // the benchmark's prompts are support conversations: a tokenizer that has all their characters
        StringBuilder text = new StringBuilder(dev.hearth.lab.data.SupportConversations.AGENT
                + dev.hearth.lab.data.SupportConversations.AGENT_ZH);
        dev.hearth.lab.data.SupportConversations.generate(200, 1).forEach(c -> text.append(c.text()));
        CharTokenizer tok = CharTokenizer.train(text.toString());
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 512, 1, 2, 1, 8, 16, 10000f, 1e-6f, false, false, false,
                0f), new Rng(1));
        Path dir = home.resolve("src").resolve("support");
        ModelFolder.save(dir, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        assertThat(hearth("models", "register", dir.toString(), "--name", "bot").code()).isZero();
        Path out = home.resolve("bench.json");
        Run r = hearth("bench", "serve", "--concurrency", "2", "--requests", "3", "--max-tokens", "4", "--warmup",
                "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("successful requests       3 (failed 0)", "time to first token");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());
        assertThat(json.get("requests").asInt()).isEqualTo(3);                 // the warm-up is not counted
        assertThat(json.get("output_token_throughput").asDouble()).isPositive();
        // varied lengths: 6 requests of 2 to 6 new tokens (4 +- 50%), EOS ignored, so the tokens counted
        // are the lengths drawn, and the same seed draws the same ones again
        Run varied = hearth("bench", "serve", "--concurrency", "2", "--requests", "6", "--max-tokens", "4",
                "--range-ratio", "0.5", "--warmup", "0", "--out", out.toString());
        assertThat(varied.code()).as(varied.err()).isZero();
        assertThat(varied.out()).contains("2-6 (uniform) new tokens each", "successful requests       6 (failed 0)");
        long total = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile()).get("output_tokens").asLong();
        assertThat(total).isBetween(12L, 36L).isNotEqualTo(24L);
        assertThat(hearth("bench", "serve", "--concurrency", "2", "--requests", "6", "--max-tokens", "4",
                "--range-ratio", "0.5", "--warmup", "0", "--out", out.toString()).code()).isZero();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile()).get("output_tokens")
                .asLong()).isEqualTo(total);
        // a request the server refuses is counted as failed, and the first refusal is shown
        Run refused = hearth("bench", "serve", "--concurrency", "1", "--requests", "1", "--max-tokens", "600",
                "--warmup", "0");
        assertThat(refused.code()).as(refused.err()).isZero();
        assertThat(refused.out()).contains("successful requests       0 (failed 1)", "first failure             HTTP 400",
                "context");
        for (String ratio : List.of("1", "-0.1", "NaN")) {
            Run bad = hearth("bench", "serve", "--range-ratio", ratio);
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("--range-ratio takes a fraction from 0 up to (not including) 1");
        }
        for (String wrong : List.of("-1", "soon")) {
            Run bad = hearth("bench", "serve", "--warmup", wrong);
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("--warmup takes a number of requests (0 or more) or auto, not '" + wrong + "'");
        }
    }

    @Test
    void serveRefusesANegativePrefixCacheBeforeStarting() {
        Run bad = hearth("serve", "--port", "0", "--prefix-cache-mb", "-1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("--prefix-cache-mb must be between 0 (off) and");
    }

    @Test
    void benchServeKeepsItsConnectionsForTheNextRequests() throws Exception {
        // a stand-in server that streams three tokens and counts the connections it is asked on
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        AtomicInteger served = new AtomicInteger();
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        fake.createContext("/v1/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            served.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                for (int i = 0; i < 3; i++) {
                    body.write("data: {\"choices\":[{\"index\":0,\"text\":\"a\"}]}\n\n".getBytes(StandardCharsets.UTF_8));
                    body.flush();
                }
                body.write(("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}\n\n"
                        + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        fake.start();
        try {
            Run r = hearth("bench", "serve", "--url", "http://127.0.0.1:" + fake.getAddress().getPort(), "--key", "k",
                    "--model", "m", "--concurrency", "2", "--requests", "12", "--max-tokens", "3", "--warmup", "0");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("successful requests       12 (failed 0)");
            assertThat(served.get()).isEqualTo(12);
            assertThat(clientPorts).hasSizeLessThanOrEqualTo(2);           // one connection per request in flight
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void keysArePrintedOnceAndOnlyTheirHashIsKept() throws Exception {
        Run created = hearth("keys", "create", "--role", "user", "--rate", "60/min", "--tokens-per-day", "1000");
        assertThat(created.code()).as(created.err()).isZero();
        String secret = created.out().strip();
        assertThat(secret).startsWith("hk-");
        Run list = hearth("keys", "list");
        assertThat(list.out()).contains("user", "60/min", "1000", "active").doesNotContain(secret);
        String id = secret.split("-")[1];
        assertThat(hearth("keys", "revoke", id).out()).contains("revoked " + id);
        assertThat(hearth("keys", "list").out()).contains("revoked");
        assertThat(hearth("keys", "create", "--role", "king").code()).isEqualTo(1);
        assertThat(hearth("keys", "create", "--role", "user", "--rate", "fast").code()).isEqualTo(1);
        try (Store store = Store.open(null, home)) {
            assertThat(store.keys().authenticate(secret)).get().satisfies(k -> assertThat(k.revoked()).isTrue());
        }
    }

    @Test
    void auditVerifyNamesAnEditedRow() throws Exception {
        try (Store store = Store.open(null, home)) {
            for (int i = 0; i < 5; i++) {
                store.audit().append(new AuditRecord(Instant.now(), "k" + i, "user", "POST", "/v1/completions",
                        "bot", "bot:1", 10, 5, 200, 12, null, null, "req" + i, null));
            }
        }
        Run ok = hearth("audit", "verify");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("intact", "5 rows");
        assertThat(hearth("audit", "tail", "-n", "2").out().lines()).hasSize(2);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("hearth.db"));
             Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE audit_log SET completion_tokens = 500 WHERE seq = 3")).isEqualTo(1);
        }
        Run tampered = hearth("audit", "verify");
        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.out()).contains("row 3", "TAMPERED");
    }
}
