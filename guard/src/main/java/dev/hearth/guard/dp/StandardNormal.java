package dev.hearth.guard.dp;

/**
 * The standard normal distribution's tails and the complementary error function, accurate to a few units in
 * the last place and usable in log space far into the tails (where {@code erfc} underflows), which the
 * accountants need: their answers are sums of many tail probabilities near 1e-5 and far below.
 *
 * <p>{@code erfc(x)} for {@code 0 <= x < 1} is {@code 1 - erf(x)} from the series
 * {@code erf x = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!}, whose terms are all positive; for
 * {@code x >= 1} it is the continued fraction
 * {@code erfc x = 2x e^(-x^2)/sqrt(pi) / (2x^2+1 - 1*2/(2x^2+5 - 3*4/(2x^2+9 - ...)))}, evaluated by the
 * modified Lentz method, which needs under 100 terms at {@code x = 1} and fewer further out; negative
 * arguments use {@code erfc(-x) = 2 - erfc(x)}.
 */
final class StandardNormal {

    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double LOG_HALF = Math.log(0.5);

    private StandardNormal() {}

    /** The complementary error function {@code erfc(x) = 2/sqrt(pi) * integral from x to infinity of e^(-t^2)}. */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return 2.0 - erfc(-x);
        }
        if (x < 1.0) {
            return 1.0 - erfSeries(x);
        }
        if (x > 27.3) {
            return 0.0; // below the smallest double
        }
        return 2.0 * x * Math.exp(-x * x) / SQRT_PI / continuedFraction(x);
    }

    /** {@code log(erfc(x))}, finite for every finite x (about {@code -x^2} for large x). */
    static double logErfc(double x) {
        if (x < 1.0) {
            return Math.log(erfc(x));
        }
        return -x * x + Math.log(2.0 * x / SQRT_PI) - Math.log(continuedFraction(x));
    }

    /** {@code P(Z > z)} for a standard normal Z. */
    static double tail(double z) {
        if (z == Double.NEGATIVE_INFINITY) {
            return 1.0;
        }
        if (z == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        return 0.5 * erfc(z / SQRT2);
    }

    /** {@code P(Z <= z)} for a standard normal Z. */
    static double cdf(double z) {
        return tail(-z);
    }

    /** {@code log P(Z > z)}. */
    static double logTail(double z) {
        if (z == Double.NEGATIVE_INFINITY) {
            return 0.0;
        }
        if (z == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        return LOG_HALF + logErfc(z / SQRT2);
    }

    /** {@code P(a < Z <= b)} for {@code a <= b}, without the cancellation of {@code cdf(b) - cdf(a)} in a tail. */
    static double interval(double a, double b) {
        if (!(a < b)) {
            return 0.0;
        }
        if (a >= 0) {
            return tail(a) - tail(b);
        }
        if (b <= 0) {
            return cdf(b) - cdf(a);
        }
        return 1.0 - tail(b) - cdf(a);
    }

    /** erf(x) for 0 <= x < 1 from a series of positive terms. */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 100 && term > 1e-17 * sum; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
        }
        return 2.0 / SQRT_PI * Math.exp(-x2) * sum;
    }

    /** The denominator {@code 2x^2+1 - 1*2/(2x^2+5 - 3*4/(...))} for x >= 1, by the modified Lentz method. */
    private static double continuedFraction(double x) {
        final double tiny = 1e-300;
        double b0 = 2.0 * x * x + 1.0;
        double f = b0;
        double c = f;
        double d = 0.0;
        for (int n = 1; n < 500; n++) {
            double a = -(2.0 * n - 1.0) * (2.0 * n);
            double b = b0 + 4.0 * n;
            d = b + a * d;
            d = d == 0 ? tiny : d;
            d = 1.0 / d;
            c = b + a / c;
            c = c == 0 ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return f;
    }
}
