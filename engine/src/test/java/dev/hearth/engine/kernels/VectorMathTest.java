package dev.hearth.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The softmax's loops give, for every length, the bits their scalar definitions give. */
class VectorMathTest {
    private static final int L = VectorMath.L;

    private static float[] randoms(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (4 * r.nextGaussian());
        }
        return x;
    }

    @Test
    void maxExpShiftSumAndScaleMatchTheirScalarDefinitionsForEveryTailLength() {
        for (int n = 1; n <= 3 * L + 1; n++) {
            int off = 3;                                   // not at the start of the array
            float[] x = randoms(n, off + n + 5);
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x[off + i]);
            }
            assertThat(VectorMath.max(n, x, off)).as("max of %d", n).isEqualTo(max);

            // exponentials element by element; sums per lane over whole vectors, lanes first to last, then the tail
            float[] y = new float[n + 10];
            float sum = VectorMath.expShiftSum(n, x, off, max, y, 9);
            float[] lanes = new float[L];
            int whole = n / L * L;
            for (int i = 0; i < n; i++) {
                float e = FloatMath.exp(x[off + i] - max);
                assertThat(y[9 + i]).as("exp %d of %d", i, n).isEqualTo(e);
                if (i < whole) {
                    lanes[i % L] += e;
                }
            }
            float expected = 0f;
            for (float lane : lanes) {
                expected += lane;
            }
            for (int i = whole; i < n; i++) {
                expected += FloatMath.exp(x[off + i] - max);
            }
            assertThat(sum).as("sum of %d", n).isEqualTo(expected);
            assertThat(y[8]).isZero();                           // nothing written outside the range
            assertThat(y[n + 9]).isZero();

            float[] z = new float[n + 2];
            VectorMath.scale(n, 0.3f, x, off, z, 1);
            for (int i = 0; i < n; i++) {
                assertThat(z[1 + i]).isEqualTo(0.3f * x[off + i]);
            }
            assertThat(z[0]).isZero();
            assertThat(z[n + 1]).isZero();
        }
    }

    @Test
    void theMaximumIsNanWhenAnyElementIsNanWhereverItFalls() {
        for (int n : new int[] {1, L - 1, L, L + 1, 2 * L + 3}) {
            for (int at : new int[] {0, n - 1}) {
                float[] x = randoms(7, n);
                x[at] = Float.NaN;
                assertThat(VectorMath.max(n, x, 0)).as("n %d, NaN at %d", n, at).isNaN();
            }
        }
    }
}
