package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {

    @Test
    void matchesTheDefiningSumAndInvertsItself() {
        Random rnd = new Random(7);
        for (int n : new int[] {1, 2, 8, 64, 1024}) {
            double[] re = new double[n];
            double[] im = new double[n];
            for (int i = 0; i < n; i++) {
                re[i] = rnd.nextGaussian();
                im[i] = rnd.nextGaussian();
            }
            double[] re0 = re.clone();
            double[] im0 = im.clone();
            Fft fft = new Fft(n);
            fft.forward(re, im);
            for (int k = 0; k < n; k++) {
                double sr = 0;
                double si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * ((long) j * k % n) / n;
                    sr += re0[j] * Math.cos(a) - im0[j] * Math.sin(a);
                    si += re0[j] * Math.sin(a) + im0[j] * Math.cos(a);
                }
                assertThat(re[k]).isCloseTo(sr, within(1e-10 * n));
                assertThat(im[k]).isCloseTo(si, within(1e-10 * n));
            }
            fft.inverse(re, im);
            for (int i = 0; i < n; i++) {
                assertThat(re[i]).isCloseTo(re0[i], within(1e-13));
                assertThat(im[i]).isCloseTo(im0[i], within(1e-13));
            }
        }
    }

    @Test
    void multiplyingTransformsConvolvesCircularly() {
        int n = 16;
        double[] a = new double[n];
        double[] b = new double[n];
        a[0] = 0.5;
        a[3] = 0.5;
        b[1] = 0.25;
        b[14] = 0.75;
        double[] ai = new double[n];
        double[] bi = new double[n];
        Fft fft = new Fft(n);
        fft.forward(a, ai);
        fft.forward(b, bi);
        for (int k = 0; k < n; k++) {
            double r = a[k] * b[k] - ai[k] * bi[k];
            ai[k] = a[k] * bi[k] + ai[k] * b[k];
            a[k] = r;
        }
        fft.inverse(a, ai);
        // 0+1 and 3+14 = 17, which wraps around to 1; 3+1; 0+14.
        assertThat(a[1]).isCloseTo(0.125 + 0.375, within(1e-15));
        assertThat(a[4]).isCloseTo(0.125, within(1e-15));
        assertThat(a[14]).isCloseTo(0.375, within(1e-15));
        assertThat(a[0] + a[2] + a[3] + a[15]).isCloseTo(0, within(1e-15));
    }

    @Test
    void rejectsLengthsThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new Fft(12)).hasMessageContaining("power of two");
    }
}
