package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.store.ApiKey;
import dev.hearth.store.ApiKeys;
import dev.hearth.store.AuditEntry;
import dev.hearth.store.AuditRecord;
import dev.hearth.store.AuditVerification;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import dev.hearth.store.StoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hearth serve}: the OpenAI-compatible HTTP API over the registry's models. Every
 * endpoint but {@code /healthz} needs {@code Authorization: Bearer <key>}; each request is
 * checked against its key's role, rate and daily token quota, served, counted in the metrics
 * and written to the hash-chained audit log, whatever its outcome. See docs/serving.md.
 */
public final class HearthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HearthServer.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** The most of a refused body read and dropped so that its client reads the 413. */
    static final long DISCARD_LIMIT = 64L << 20;

    private final Store store;
    private final ServeOptions options;
    private final ServerMetrics metrics;
    private final CpuFence fence;
    private final ModelCatalog catalog;
    private final RateLimiter rates = new RateLimiter();
    private final AuditWriter audits;
    private final OpenAiEndpoints openAi;
    private final AdminEndpoints admin;
    private final Javalin app;
    private ServerConnector connector;
    private volatile boolean ready;

    /** A handler that runs after the caller is authenticated and allowed. */
    @FunctionalInterface
    interface Endpoint {
        void handle(Call call) throws Exception;
    }

    public HearthServer(Store store, ServeOptions options) {
        this.store = store;
        this.options = options;
        this.metrics = new ServerMetrics();
        this.fence = options.computeCpus() == null ? null : CpuFence.start(options.computeCpus());
        this.catalog = new ModelCatalog(store.registry(), options, metrics, fence);
        metrics.watch(catalog::queueLength, catalog::runningRequests);
        this.openAi = new OpenAiEndpoints(catalog, store, options, new PiiGuard(options.pii(), metrics.registry()));
        this.admin = new AdminEndpoints(store);
        this.audits = new AuditWriter(store);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.jetty.addConnector((server, http) -> {
                ServerConnector c;
                if (options.tlsKeystore() != null) {
                    SslContextFactory.Server ssl = new SslContextFactory.Server();
                    ssl.setKeyStorePath(options.tlsKeystore().toAbsolutePath().toString());
                    ssl.setKeyStorePassword(new String(options.tlsPassword()));
                    c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                            new HttpConnectionFactory(http));
                } else {
                    c = new ServerConnector(server, new HttpConnectionFactory(http));
                }
                c.setHost(options.host());
                c.setPort(options.port());
                c.setIdleTimeout(options.idleTimeout().toMillis());
                connector = c;
                return c;
            });
            var r = config.routes;
            r.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            route(config, HandlerType.GET, "/readyz", EnumSet.allOf(Role.class), this::readyz);
            route(config, HandlerType.GET, "/metrics", EnumSet.of(Role.AUDITOR, Role.ADMIN), this::scrape);
            Set<Role> users = EnumSet.of(Role.USER, Role.ADMIN);
            route(config, HandlerType.GET, "/v1/models", users, openAi::listModels);
            route(config, HandlerType.GET, "/v1/models/{model}", users, openAi::getModel);
            route(config, HandlerType.POST, "/v1/completions", users, openAi::completions);
            route(config, HandlerType.POST, "/v1/chat/completions", users, openAi::chatCompletions);
            route(config, HandlerType.POST, "/v1/embeddings", users, openAi::embeddings);
            route(config, HandlerType.POST, "/v1/feedback", users, openAi::feedback);
            Set<Role> auditors = EnumSet.of(Role.AUDITOR, Role.ADMIN);
            route(config, HandlerType.GET, "/v1/audit", auditors, this::auditRows);
            route(config, HandlerType.GET, "/v1/audit/verify", auditors, this::auditVerify);
            Set<Role> admins = EnumSet.of(Role.ADMIN);
            route(config, HandlerType.GET, "/v1/admin/models", admins, admin::models);
            route(config, HandlerType.POST, "/v1/admin/models/{name}/aliases", admins, admin::setAlias);
            route(config, HandlerType.POST, "/v1/admin/models/{name}/rollback", admins, admin::rollback);
            route(config, HandlerType.GET, "/v1/admin/keys", admins, admin::listKeys);
            route(config, HandlerType.POST, "/v1/admin/keys", admins, admin::createKey);
            route(config, HandlerType.DELETE, "/v1/admin/keys/{id}", admins, admin::revokeKey);
            for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.DELETE,
                    HandlerType.PUT, HandlerType.PATCH}) {
                route(config, method, "/<path>", EnumSet.allOf(Role.class), call -> {
                    throw ApiException.notFound("unknown_url", null, "unknown URL: " + call.ctx().method() + " "
                            + call.ctx().path() + " (see GET /v1/models, POST /v1/completions, POST"
                            + " /v1/chat/completions, POST /v1/embeddings)");
                });
            }
        });
    }

    private void route(io.javalin.config.JavalinConfig config, HandlerType method, String path, Set<Role> roles,
                       Endpoint endpoint) {
        String label = path.equals("/<path>") ? "unknown" : path;
        config.routes.addEndpoint(new io.javalin.router.Endpoint(method, path, ctx -> handle(ctx, label, roles,
                endpoint)));
    }

    /** Authenticates, authorises, runs the endpoint, answers errors in OpenAI's shape, counts and audits. */
    private void handle(Context ctx, String label, Set<Role> roles, Endpoint endpoint) {
        Call call = new Call(ctx, UUID.randomUUID().toString().replace("-", ""), System.nanoTime(), Instant.now());
        try {
            ApiKey key = authenticate(ctx);
            call.key = key;
            if (!roles.contains(key.role())) {
                throw ApiException.forbidden("the " + key.role().name().toLowerCase() + " key " + key.id()
                        + " may not call " + ctx.method() + " " + ctx.path() + " (it needs the role "
                        + roles.stream().map(r -> r.name().toLowerCase()).sorted().toList() + ")");
            }
            rates.acquire(key);
            endpoint.handle(call);
            if (ctx.statusCode() >= 400 && call.error == null) {
                call.error = "HTTP " + ctx.statusCode();
            }
        } catch (ApiException e) {
            String reason = rejection(e);
            if (reason != null) {
                metrics.rejected(reason);
            }
            call.fail(e);
        } catch (StoreException e) {
            LOG.error("the store failed during request {}", call.requestId(), e);
            call.fail(new ApiException(503, "server_error", "store_unavailable", null, "the server's database is"
                    + " unavailable; retry shortly", 5));
        } catch (HearthException e) {
            call.fail(ApiException.invalid(null, e.getMessage()));
        } catch (Exception e) {
            LOG.error("request {} failed", call.requestId(), e);
            call.fail(ApiException.internal("internal error; the server log has the details (request "
                    + call.requestId() + ")"));
        } finally {
            call.stopWatching();
            int status = call.failedStatus != 0 ? call.failedStatus : ctx.statusCode();
            metrics.request(label, status);
            audit(call, status);
        }
    }

    /** The reason label of a refused request, or null for failures that are not refusals. */
    private static String rejection(ApiException e) {
        return switch (e.status()) {
            case 400, 413 -> "invalid";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 429 -> switch (String.valueOf(e.code())) {
                case "queue_full" -> "queue_full";
                case "rate_limit_exceeded" -> "rate_limited";
                case "insufficient_quota" -> "quota_exceeded";
                default -> "other";
            };
            default -> null;
        };
    }

    private ApiKey authenticate(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth == null || auth.isBlank()) {
            throw ApiException.unauthenticated("missing_api_key", "no API key: send 'Authorization: Bearer <key>'"
                    + " (create one with 'hearth keys create --role user')");
        }
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthenticated("invalid_api_key", "the Authorization header must be 'Bearer <key>'");
        }
        ApiKey key = store.keys().authenticate(auth.substring(7).trim()).orElseThrow(() ->
                ApiException.unauthenticated("invalid_api_key", "the API key is not valid"));
        if (key.revoked()) {
            throw ApiException.unauthenticated("revoked_api_key", "the API key " + key.id() + " was revoked at "
                    + key.revokedAt());
        }
        return key;
    }

    private void audit(Call call, int status) {
        ApiKey key = call.key;
        long latency = (System.nanoTime() - call.startNanos()) / 1_000_000;
        AuditRecord record = new AuditRecord(call.at(), key == null ? null : key.id(),
                key == null ? null : key.role().name().toLowerCase(), call.ctx().method().name(), call.ctx().path(),
                call.model, call.modelVersion, call.promptTokens, call.completionTokens, status, latency, call.error,
                options.auditPrompts() ? call.prompt : null, call.publicId(), call.endUser);
        // What the key is charged: the tokens of a request that reached the model, less what was reserved.
        long charged = call.submitted ? call.promptTokens + call.completionTokens : 0;
        audits.write(record, key != null && charged != call.reserved
                ? new ApiKeys.TokenCount(key.id(), call.day, charged - call.reserved) : null);
    }

    private void readyz(Call call) {
        ObjectNode out = JSON.createObjectNode();
        out.put("ready", ready);
        ArrayNode models = out.putArray("models");
        catalog.loadedModels().forEach(m -> models.add(m.id()));
        call.ctx().status(ready ? 200 : 503);
        call.json(out);
    }

    private void scrape(Call call) {
        call.ctx().contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void auditRows(Call call) {
        long after = parseLong(call.ctx().queryParam("after"), 0, "after");
        int limit = (int) Math.min(1000, parseLong(call.ctx().queryParam("limit"), 100, "limit"));
        ArrayNode rows = JSON.createArrayNode();
        for (AuditEntry e : store.audit().read(after, limit)) {
            AuditRecord r = e.record();
            ObjectNode row = JSON.createObjectNode();
            row.put("seq", e.seq());
            row.put("at", r.at().toString());
            row.put("key_id", r.keyId());
            row.put("role", r.role());
            row.put("method", r.method());
            row.put("endpoint", r.endpoint());
            row.put("model", r.model());
            row.put("model_version", r.modelVersion());
            row.put("prompt_tokens", r.promptTokens());
            row.put("completion_tokens", r.completionTokens());
            row.put("status", r.status());
            row.put("latency_ms", r.latencyMs());
            row.put("error", r.error());
            row.put("prompt", r.prompt());
            row.put("request_id", r.requestId());
            row.put("user", r.endUser());
            row.put("prev_hash", e.prevHash());
            row.put("hash", e.hash());
            rows.add(row);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", rows);
        call.json(out);
    }

    private void auditVerify(Call call) {
        AuditVerification v = store.audit().verify();
        call.json(JSON.valueToTree(v));
    }

    private static long parseLong(String s, long otherwise, String name) {
        if (s == null || s.isBlank()) {
            return otherwise;
        }
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw ApiException.invalid(name, "'" + name + "' must be >= 0");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer, got '" + s + "'");
        }
    }

    /** Starts listening; returns the server (port 0 picks a free port: see {@link #port()}). */
    public HearthServer start() {
        try {
            app.start();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    catalog.close();
                    throw new HearthException("cannot listen on " + options.host() + ":" + options.port() + " ("
                            + t.getMessage() + "); choose another --port or stop what uses it");
                }
            }
            throw e;
        }
        return this;
    }

    /** Loads every registered champion; /readyz answers 200 once this is done. */
    public void loadModels() {
        catalog.loadChampions();
        ready = true;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
        return (options.tlsKeystore() != null ? "https" : "http") + "://" + host + ":" + port();
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    @Override
    public void close() {
        app.stop();
        catalog.close();
        audits.close();
        if (fence != null) {
            fence.close();
        }
    }

    /**
     * Reads and drops the rest of a refused body, up to {@link #DISCARD_LIMIT} bytes. A client still sending when
     * the server answers and closes gets a reset connection in place of the 413, so the refusal waits for the body
     * (nginx's lingering close does the same); past the limit the connection is closed without it.
     */
    private static void discardBody(Context ctx) {
        byte[] sink = new byte[64 << 10];
        long left = DISCARD_LIMIT;
        try {
            InputStream in = ctx.req().getInputStream();
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the client has gone or the stream is spent; the 413 is written if the connection still stands
        }
    }

    /** Decodes a body as strict UTF-8 JSON object. */
    static ObjectNode parseBody(Context ctx, long maxBytes) {
        String length = ctx.header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBytes) {
                    discardBody(ctx);
                    throw ApiException.tooLarge("the request body is " + length.trim() + " bytes; the server accepts at"
                            + " most " + maxBytes);
                }
            } catch (NumberFormatException ignored) {
                // Jetty has already refused a malformed Content-Length
            }
        }
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } catch (RuntimeException e) {
            discardBody(ctx);
            throw ApiException.tooLarge("the request body could not be read (at most " + maxBytes + " bytes are"
                    + " accepted)");
        }
        if (bytes.length > maxBytes) {
            throw ApiException.tooLarge("the request body is " + bytes.length + " bytes; the server accepts at most "
                    + maxBytes);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid(null, "invalid_encoding", "the request body is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.invalid(null, "invalid_json", "the request body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "the request body must be a JSON object");
        }
        return (ObjectNode) node;
    }
}
