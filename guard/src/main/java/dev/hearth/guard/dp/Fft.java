package dev.hearth.guard.dp;

/**
 * The discrete Fourier transform of a complex sequence whose length is a power of two, in place: iterative
 * radix-2 Cooley-Tukey (bit-reversal permutation, then log2(n) passes of butterflies). The twiddle factors
 * come from {@link Math#cos}/{@link Math#sin} of each angle, not from a recurrence, so the error stays near
 * {@code log2(n)} ulps of the largest value, which is what composing a privacy loss distribution thousands of
 * times over needs.
 *
 * <pre>
 *   forward:  X[k] = sum_j x[j] exp(-2 pi i jk / n)
 *   inverse:  x[j] = 1/n sum_k X[k] exp(+2 pi i jk / n)
 * </pre>
 */
final class Fft {

    private final int n;
    private final double[] cos; // (n/2) cos(2 pi k / n)
    private final double[] sin; // (n/2) sin(2 pi k / n)

    /** A transform of length n, a power of two. */
    Fft(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT length must be a power of two, got " + n);
        }
        this.n = n;
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++) {
            double angle = 2 * Math.PI * k / n;
            cos[k] = Math.cos(angle);
            sin[k] = Math.sin(angle);
        }
    }

    int length() {
        return n;
    }

    /** Forward transform of (re, im) in place. */
    void forward(double[] re, double[] im) {
        transform(re, im, -1);
    }

    /** Inverse transform of (re, im) in place, including the 1/n. */
    void inverse(double[] re, double[] im) {
        transform(re, im, +1);
        double scale = 1.0 / n;
        for (int i = 0; i < n; i++) {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void transform(double[] re, double[] im, int sign) {
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("expected arrays of length " + n);
        }
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        // Butterflies: blocks of length len, twiddle w^k = exp(sign * 2 pi i k / len) = table[k * n / len].
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            int stride = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * stride];
                    double wi = sign * sin[k * stride];
                    int a = start + k;
                    int b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
