package dev.hearth.engine.kernels;

/** The error function in double precision (Java's Math has none). */
public final class Erf {
    private Erf() {}

    /**
     * erf(x) to about 1e-15: below |x| = 3 the series {@code 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} /
     * (1*3*...*(2n+1))}, whose terms are all positive (no cancellation); above, 1 - erfc(x) with
     * erfc from its continued fraction.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            r = 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
        } else if (ax < 10) {
            r = 1 - erfcContinuedFraction(ax);
        } else {
            r = 1;
        }
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x >= 3 by the Laplace continued fraction, evaluated backwards. */
    private static double erfcContinuedFraction(double x) {
        double f = 0;
        for (int k = 60; k >= 1; k--) {
            f = (k / 2.0) / (x + f);
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
    }
}
