package dev.hearth.serve;

import dev.hearth.store.ApiKey;
import dev.hearth.store.RateLimit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key token buckets: a key with a rate of N per period holds up to N permits (its burst) and
 * regains them at N per period; each request takes one. Keys without a rate are not limited.
 */
public final class RateLimiter {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double permits;
        private long last;

        Bucket(RateLimit rate, long now) {
            this.capacity = Math.max(1, rate.permits());
            this.perNano = rate.perSecond() / 1e9;
            this.permits = capacity;
            this.last = now;
        }

        /** Takes a permit; returns 0, or the seconds until one is free. */
        synchronized long take(long now) {
            permits = Math.min(capacity, permits + (now - last) * perNano);
            last = now;
            if (permits >= 1) {
                permits -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - permits) / perNano / 1e9);
        }
    }

    /** Takes a permit for {@code key}, or refuses with 429 and Retry-After. */
    public void acquire(ApiKey key) {
        if (key.rate() == null) {
            return;
        }
        long now = System.nanoTime();
        long wait = buckets.computeIfAbsent(key.id() + "|" + key.rate(), k -> new Bucket(key.rate(), now)).take(now);
        if (wait > 0) {
            throw ApiException.tooMany("rate_limit_error", "rate_limit_exceeded", "key " + key.id()
                    + " is limited to " + key.rate() + " requests; retry in " + wait + " s", wait);
        }
    }
}
