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
