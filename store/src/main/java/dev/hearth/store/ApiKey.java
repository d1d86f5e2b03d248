package dev.hearth.store;

import java.time.Instant;

/**
 * An API key as stored: never the secret, only what it may do.
 *
 * @param rate         requests allowed, or null for no limit
 * @param tokensPerDay prompt plus completion tokens allowed per UTC day, or null for no quota
 * @param revokedAt    when it was revoked, or null while it is live
 */
public record ApiKey(String id, String name, Role role, RateLimit rate, Long tokensPerDay,
                     Instant createdAt, Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
