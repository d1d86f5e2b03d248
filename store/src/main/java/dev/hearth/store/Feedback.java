package dev.hearth.store;

import java.time.Instant;

/**
 * A user's verdict on one answer.
 *
 * @param rating -1 (flagged as harmful or wrong), 0 (no opinion) or 1 to 5 stars
 * @param at     when it was given; null means now
 */
public record Feedback(String requestId, String keyId, String model, String modelVersion, int rating,
                       String comment, Instant at) {
}
