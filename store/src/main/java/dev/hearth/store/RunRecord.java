package dev.hearth.store;

import java.time.Instant;

/**
 * A training, evaluation or tuning run.
 *
 * @param kind       what ran ({@code train}, {@code eval}, ...)
 * @param status     where it is ({@code running}, {@code done}, {@code failed}, ...)
 * @param endedAt    when it ended, or null while it runs
 * @param dir        its folder in the workspace ({@code runs/<id>})
 * @param configJson its configuration as JSON
 */
public record RunRecord(String id, String kind, String status, Instant startedAt, Instant endedAt, String dir,
                        String configJson) {
}
