package dev.hearth.serve;

import dev.hearth.engine.HearthException;

/**
 * A request the API refuses or could not serve, answered with OpenAI's error JSON:
 * {@code {"error": {"message", "type", "param", "code"}}} and the HTTP status.
 */
public final class ApiException extends HearthException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String type, String code, String param, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed or asks for something out of range; {@code param} names the field. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", null, param, message, 0);
    }

    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", code, param, message, 0);
    }

    public static ApiException unauthenticated(String code, String message) {
        return new ApiException(401, "authentication_error", code, null, message, 0);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "permission_error", "insufficient_role", null, message, 0);
    }

    public static ApiException notFound(String code, String param, String message) {
        return new ApiException(404, "not_found_error", code, param, message, 0);
    }

    /** 429 with Retry-After: the server is full, or the key's rate or quota is spent. */
    public static ApiException tooMany(String type, String code, String message, long retryAfterSeconds) {
        return new ApiException(429, type, code, null, message, Math.max(1, retryAfterSeconds));
    }

    /** 503: the server is stopping and takes no more work. */
    public static ApiException shuttingDown() {
        return new ApiException(503, "server_error", "shutting_down", null, "the server is shutting down", 1);
    }

    /** 500: something failed inside the server; the message says what, without internals. */
    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", "internal_error", null, message, 0);
    }

    /** 413: the body is larger than the server accepts. */
    public static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", "request_too_large", null, message, 0);
    }

    /** 499 (nginx's code; the client never sees it): the client went away; the audit log records it. */
    public static ApiException clientClosed(String message) {
        return new ApiException(499, "invalid_request_error", "client_closed_request", null, message, 0);
    }

    /** 504: the request passed the server's request timeout. */
    public static ApiException timeout() {
        return new ApiException(504, "timeout", "request_timeout", null,
                "the request did not finish within the server's request timeout", 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for the Retry-After header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
