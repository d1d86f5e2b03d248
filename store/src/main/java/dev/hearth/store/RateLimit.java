package dev.hearth.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many requests a key may make in a window: {@code 60/min}, {@code 10/s}, {@code 1000/hour},
 * {@code 5000/day}, or with a window count such as {@code 100/10min}.
 *
 * @param permits requests allowed per window, positive
 * @param per     the window, a positive whole number of seconds
 */
public record RateLimit(double permits, Duration per) {

    private static final String FORM = "write it as <count>/<unit>, e.g. 60/min, 10/s, 1000/hour, 5000/day, 100/10min";
    private static final Pattern SYNTAX =
            Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*/\\s*([0-9]+)?\\s*([a-zA-Z]+)\\s*");
    private static final Map<String, Duration> UNITS = Map.ofEntries(
            Map.entry("s", Duration.ofSeconds(1)), Map.entry("sec", Duration.ofSeconds(1)),
            Map.entry("secs", Duration.ofSeconds(1)), Map.entry("second", Duration.ofSeconds(1)),
            Map.entry("seconds", Duration.ofSeconds(1)),
            Map.entry("m", Duration.ofMinutes(1)), Map.entry("min", Duration.ofMinutes(1)),
            Map.entry("mins", Duration.ofMinutes(1)), Map.entry("minute", Duration.ofMinutes(1)),
            Map.entry("minutes", Duration.ofMinutes(1)),
            Map.entry("h", Duration.ofHours(1)), Map.entry("hr", Duration.ofHours(1)),
            Map.entry("hour", Duration.ofHours(1)), Map.entry("hours", Duration.ofHours(1)),
            Map.entry("d", Duration.ofDays(1)), Map.entry("day", Duration.ofDays(1)),
            Map.entry("days", Duration.ofDays(1)));

    public RateLimit {
        if (!(permits > 0) || Double.isInfinite(permits)) {
            throw new StoreException("a rate limit needs a positive number of requests, not " + permits + ": " + FORM);
        }
        if (per == null || per.isNegative() || per.isZero() || per.getNano() != 0) {
            throw new StoreException("a rate limit window must be a positive whole number of seconds, not " + per
                    + ": " + FORM);
        }
    }

    /** Parses {@code "60/min"} and the like; a {@link StoreException} explains the form on bad input. */
    public static RateLimit parse(String s) {
        Matcher m = s == null ? null : SYNTAX.matcher(s);
        if (m == null || !m.matches()) {
            throw new StoreException("cannot read the rate limit '" + s + "': " + FORM);
        }
        Duration unit = UNITS.get(m.group(3).toLowerCase(Locale.ROOT));
        if (unit == null) {
            throw new StoreException("unknown time unit '" + m.group(3) + "' in rate limit '" + s
                    + "': use s, min, hour or day (" + FORM + ")");
        }
        long count = 1;
        if (m.group(2) != null) {
            try {
                count = Long.parseLong(m.group(2));
            } catch (NumberFormatException e) {
                count = 0;
            }
            if (count <= 0 || count > 1_000_000) {
                throw new StoreException("the window count in rate limit '" + s + "' must be between 1 and 1000000: " + FORM);
            }
        }
        return new RateLimit(Double.parseDouble(m.group(1)), unit.multipliedBy(count));
    }

    /** The sustained rate in requests per second. */
    public double perSecond() {
        return permits / per.toSeconds();
    }

    /** The {@code "60/min"} form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        String count = BigDecimal.valueOf(permits).stripTrailingZeros().toPlainString();
        long seconds = per.toSeconds();
        String window;
        if (seconds % 86_400 == 0) {
            window = windowOf(seconds / 86_400, "day");
        } else if (seconds % 3_600 == 0) {
            window = windowOf(seconds / 3_600, "hour");
        } else if (seconds % 60 == 0) {
            window = windowOf(seconds / 60, "min");
        } else {
            window = windowOf(seconds, "s");
        }
        return count + "/" + window;
    }

    private static String windowOf(long n, String unit) {
        return n == 1 ? unit : n + unit;
    }
}
