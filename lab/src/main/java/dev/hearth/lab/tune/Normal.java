package dev.hearth.lab.tune;

/** The standard normal distribution's density and tail probabilities, accurate far into the tails. */
final class Normal {
    private Normal() {}

    static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    static double logPdf(double z) {
        return -0.5 * z * z - LOG_SQRT_2PI;
    }

    static double pdf(double z) {
        return Math.exp(logPdf(z));
    }

    /** P(Z <= z). */
    static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** P(a <= Z <= b), computed on the side of zero that keeps its precision. */
    static double between(double a, double b) {
        if (a > 0) {
            return Math.max(0, 0.5 * erfc(a / Math.sqrt(2)) - 0.5 * erfc(b / Math.sqrt(2)));
        }
        return Math.max(0, cdf(b) - cdf(a));
    }

    /**
     * The complementary error function by its Chebyshev-fitted exponential form (relative error below 1.2e-7 for
     * every x, so the tails keep their precision).
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
