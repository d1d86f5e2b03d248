package dev.hearth.store;

import java.time.Instant;

/**
 * One API call as the audit log keeps it.
 *
 * @param keyId        the caller's key, or null when the call was not authenticated
 * @param role         the key's role, or null
 * @param model        the model asked for, or null
 * @param modelVersion the version that answered ({@code name:3}), or null
 * @param error        what went wrong, or null
 * @param prompt       the prompt text as received, or null when prompts are not kept (the default)
 * @param requestId    the request's id, or null
 * @param endUser      the end user the caller named (OpenAI's {@code user} field), or null
 */
public record AuditRecord(Instant at, String keyId, String role, String method, String endpoint,
                          String model, String modelVersion, int promptTokens, int completionTokens,
                          int status, long latencyMs, String error, String prompt, String requestId,
                          String endUser) {
}
