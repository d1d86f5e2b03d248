package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void readsTheUsualForms() {
        assertThat(RateLimit.parse("60/min")).isEqualTo(new RateLimit(60, Duration.ofMinutes(1)));
        assertThat(RateLimit.parse("10/s")).isEqualTo(new RateLimit(10, Duration.ofSeconds(1)));
        assertThat(RateLimit.parse("1000/hour")).isEqualTo(new RateLimit(1000, Duration.ofHours(1)));
        assertThat(RateLimit.parse("5000/day")).isEqualTo(new RateLimit(5000, Duration.ofDays(1)));
        assertThat(RateLimit.parse(" 2.5 / Second ")).isEqualTo(new RateLimit(2.5, Duration.ofSeconds(1)));
        assertThat(RateLimit.parse("100/10min")).isEqualTo(new RateLimit(100, Duration.ofMinutes(10)));
    }

    @Test
    void writesWhatItReads() {
        for (String s : new String[] {"60/min", "10/s", "1000/hour", "5000/day", "2.5/s", "100/10min", "7/90s"}) {
            assertThat(RateLimit.parse(s)).hasToString(s);
            assertThat(RateLimit.parse(RateLimit.parse(s).toString())).isEqualTo(RateLimit.parse(s));
        }
        assertThat(RateLimit.parse("60/minutes")).hasToString("60/min");
        assertThat(RateLimit.parse("120/60s")).hasToString("120/min");
    }

    @Test
    void knowsItsRatePerSecond() {
        assertThat(RateLimit.parse("60/min").perSecond()).isEqualTo(1.0);
        assertThat(RateLimit.parse("10/s").perSecond()).isEqualTo(10.0);
        assertThat(RateLimit.parse("3600/hour").perSecond()).isEqualTo(1.0);
    }

    @Test
    void explainsBadInput() {
        for (String bad : new String[] {null, "", "60", "/min", "sixty/min", "60/", "-5/min", "60/min/s", "1e3/s"}) {
            assertThatThrownBy(() -> RateLimit.parse(bad))
                    .as(String.valueOf(bad))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("e.g. 60/min");
        }
        assertThatThrownBy(() -> RateLimit.parse("60/week"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown time unit 'week'");
        assertThatThrownBy(() -> RateLimit.parse("0/min"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("positive number");
        assertThatThrownBy(() -> RateLimit.parse("5/0min"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("window count");
        assertThatThrownBy(() -> new RateLimit(5, Duration.ofMillis(500)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("whole number of seconds");
    }
}
