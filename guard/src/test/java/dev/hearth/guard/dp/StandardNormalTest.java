package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StandardNormalTest {

    @Test
    void erfcMatchesReferenceValuesToAFewUlps() {
        // Python's math.erfc (glibc), itself accurate to about 1 ulp.
        double[][] ref = {
            {-3.0, 1.9999779095030015}, {-0.7, 1.6778011938374184}, {0.0, 1.0}, {0.2, 0.7772974107895215},
            {0.99, 0.1614919304446302}, {1.0, 0.15729920705028513}, {1.7, 0.016209541409225436},
            {4.0, 1.541725790028002e-08}, {9.5, 3.76921448565488e-41}, {26.0, 5.663192408856143e-296},
        };
        for (double[] r : ref) {
            assertThat(StandardNormal.erfc(r[0])).as("erfc(%s)", r[0]).isCloseTo(r[1], within(4e-15 * r[1]));
        }
    }

    @Test
    void logsStayFiniteFarIntoTheTail() {
        // mpmath at 30 digits.
        assertThat(StandardNormal.logErfc(30)).isCloseTo(-903.9741171106439, within(1e-12));
        assertThat(StandardNormal.logErfc(100)).isCloseTo(-10005.177585122665, within(1e-10));
        assertThat(StandardNormal.logErfc(1000)).isCloseTo(-1000007.4801207219, within(1e-7));
        assertThat(StandardNormal.logTail(-2.5)).isCloseTo(-0.006229025485860002, within(1e-16));
        assertThat(StandardNormal.logTail(0.3)).isCloseTo(-0.9621028181688507, within(1e-15));
        assertThat(StandardNormal.logTail(5)).isCloseTo(-15.064998393988725, within(1e-13));
        assertThat(StandardNormal.logTail(12)).isCloseTo(-75.4106730015688, within(1e-12));
        assertThat(StandardNormal.logTail(40)).isCloseTo(-804.6084420137538, within(1e-11));
        assertThat(StandardNormal.tail(12)).isCloseTo(1.776482112077679e-33, within(5e-47)); // 3e-14 relative: exp(-x^2) at x^2 = 72
        assertThat(StandardNormal.tail(Double.NEGATIVE_INFINITY)).isEqualTo(1.0);
        assertThat(StandardNormal.logTail(Double.POSITIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void intervalsAvoidCancellationInBothTails() {
        assertThat(StandardNormal.interval(8, 8.001)).isCloseTo(
                StandardNormal.tail(8) - StandardNormal.tail(8.001), within(1e-30));
        assertThat(StandardNormal.interval(-8.001, -8)).isCloseTo(StandardNormal.interval(8, 8.001), within(1e-30));
        assertThat(StandardNormal.interval(-1, 1)).isCloseTo(0.6826894921370859, within(1e-15));
        assertThat(StandardNormal.interval(1, -1)).isZero();
    }
}
