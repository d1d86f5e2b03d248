package dev.hearth.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Instants as the store writes them: UTC ISO-8601 with exactly nine fractional digits, so that they
 * survive a round trip unchanged and sort as text in time order on SQLite and PostgreSQL alike.
 */
final class Timestamps {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    static String format(Instant at) {
        return at == null ? null : FORMAT.format(at);
    }

    static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
