package dev.hearth.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.store.ApiKey;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** One request in flight: who made it, what it used, and what the audit log will say of it. */
final class Call {
    private final Context ctx;
    private final String requestId;
    private final long startNanos;
    private final Instant at;
    ApiKey key;
    String model;
    String modelVersion;
    int promptTokens;
    int completionTokens;
    String error;
    String prompt;
    /** The request's {@code user} field: the caller's id for its end user, or null. */
    String endUser;
    /** The status of a failure; for a stream it differs from the 200 already sent. */
    int failedStatus;
    /** The id the client sees ({@code cmpl-...}, {@code chatcmpl-...}); the audit log and feedback use it. */
    String publicId;
    /** Tokens taken from the key's daily quota up front, and the UTC day they were taken from. */
    long reserved;
    java.time.LocalDate day = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    /** Whether the request reached the model (and so is charged for its tokens). */
    boolean submitted;
    /** Set when the client has gone (a write failed, or it closed the connection): nothing more is written. */
    volatile boolean clientGone;
    /** Set once server-sent events have started: errors then go into the stream. */
    OutputStream events;
    private HangUpWatch watch;

    Call(Context ctx, String requestId, long startNanos, Instant at) {
        this.ctx = ctx;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.at = at;
    }

    Context ctx() {
        return ctx;
    }

    String requestId() {
        return requestId;
    }

    /** The id given to the client when there is one, else the request id. */
    String publicId() {
        return publicId != null ? publicId : requestId;
    }

    long startNanos() {
        return startNanos;
    }

    Instant at() {
        return at;
    }

    void json(JsonNode body) {
        try {
            ctx.contentType("application/json").result(HearthServer.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers with OpenAI's error shape (in the event stream when one has started). */
    void fail(ApiException e) {
        error = e.getMessage();
        failedStatus = e.status();
        if (clientGone) {
            return;
        }
        ObjectNode body = HearthServer.JSON.createObjectNode();
        ObjectNode err = body.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        if (events != null) {
            try {
                sse(body);
                done();
            } catch (IOException ignored) {
                // the client has gone; the audit log still records the error
            }
            return;
        }
        ctx.status(e.status());
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        json(body);
    }

    /**
     * Until the answer starts, runs {@code onHangUp} (on another thread) if the client closes its
     * connection, and marks the client gone; see {@link HangUpWatch}.
     */
    void watchHangUp(Runnable onHangUp) {
        watch = HangUpWatch.start(ctx, () -> {
            clientGone = true;
            onHangUp.run();
        });
    }

    /** Stops watching for a hang-up: before anything is written (a write notices a hang-up itself). */
    void stopWatching() {
        if (watch != null) {
            watch.stop();
            watch = null;
        }
    }

    /** Opens a server-sent event stream. */
    void startEvents() throws IOException {
        stopWatching();
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        events = ctx.res().getOutputStream();
    }

    /** Writes one {@code data:} event and flushes it (an IOException means the client has gone). */
    void sse(JsonNode data) throws IOException {
        write("data: " + HearthServer.JSON.writeValueAsString(data) + "\n\n");
        events.flush();
    }

    /** Writes text already in event form ({@code data: ...\n\n}) without flushing. */
    void write(String event) throws IOException {
        events.write(event.getBytes(StandardCharsets.UTF_8));
    }

    void flush() throws IOException {
        events.flush();
    }

    /**
     * Ends the stream: writes {@code data: [DONE]} and closes the response, so the client has the
     * end of it at once and not after the audit row and the token count are written (1-4 ms on
     * two busy cores, during which a closed-loop client's next request would wait).
     */
    void done() throws IOException {
        events.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        events.close();
    }
}
