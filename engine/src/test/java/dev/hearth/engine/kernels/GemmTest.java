package dev.hearth.engine.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link Gemm#sgemm} against {@link Gemm#sgemmReference}: many shapes (tiny, primes, ragged edges
 * of the 14 x 2V and 4 x 2V tiles, m = 1, n = 1, k = 1, k = 0, blocks of k), the four transpose
 * combinations through strides, offsets, padded rows, alpha and beta, NaN in C with beta = 0, and
 * bit-identical results whatever the thread count. Both tile heights run on any machine.
 *
 * <p>Tolerance per element: {@code |c - ref| <= 1e-5 * (|alpha| * sum_p |A(i,p) B(p,j)| +
 * |beta * c0|) + 1e-6}, float accumulation error relative to the magnitudes summed.
 */
class GemmTest {

    private static final ComputePool ONE_THREAD = new ComputePool(1);
    private static final ComputePool TWO_THREADS = new ComputePool(2);
    private static final int[] TILES = {Gemm.MR_WIDE, Gemm.MR_NARROW};

    /** One product, with its operands laid out as the case asks. */
    private record Case(int m, int n, int k, boolean aT, boolean bT, float alpha, float beta,
                        int aOff, int bOff, int cOff, int padA, int padB, int padC) {

        static Case plain(int m, int n, int k) {
            return new Case(m, n, k, false, false, 1f, 0f, 0, 0, 0, 0, 0, 0);
        }

        int lda() {
            return (aT ? m : k) + padA;
        }

        int ldb() {
            return (bT ? k : n) + padB;
        }

        int ldc() {
            return n + padC;
        }

        // A(i,p) at a[aOff + i*aRs + p*aCs]: a transposed A is stored as a row-major k x m matrix
        int aRs() {
            return aT ? 1 : lda();
        }

        int aCs() {
            return aT ? lda() : 1;
        }

        int bRs() {
            return bT ? 1 : ldb();
        }

        int bCs() {
            return bT ? ldb() : 1;
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + (aT ? " A^T" : "") + (bT ? " B^T" : "") + " alpha=" + alpha
                    + " beta=" + beta + " offsets=" + aOff + "/" + bOff + "/" + cOff + " pads=" + padA + "/" + padB
                    + "/" + padC;
        }
    }

    /** Operands of a case, filled from a seed; C holds NaN when beta is 0 (it must not be read). */
    private static final class Operands {
        final float[] a;
        final float[] b;
        final float[] c;

        Operands(Case t, long seed) {
            Random random = new Random(seed);
            a = new float[t.aOff() + (t.aT() ? t.k() : t.m()) * t.lda() + 3];
            b = new float[t.bOff() + (t.bT() ? t.n() : t.k()) * t.ldb() + 3];
            c = new float[t.cOff() + t.m() * t.ldc() + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextFloat() * 2 - 1;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextFloat() * 2 - 1;
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = t.beta() == 0 ? Float.NaN : random.nextFloat() * 2 - 1;
            }
        }
    }

    private static float[] fast(ComputePool pool, int mr, Case t, Operands o) {
        float[] c = o.c.clone();
        Gemm.sgemm(pool, mr, t.m(), t.n(), t.k(), t.alpha(), o.a, t.aOff(), t.aRs(), t.aCs(),
                o.b, t.bOff(), t.bRs(), t.bCs(), t.beta(), c, t.cOff(), t.ldc());
        return c;
    }

    /** Checks the fast path (both tiles, one and two threads) against the reference for one case. */
    private static void check(Case t, long seed) {
        Operands o = new Operands(t, seed);
        float[] ref = o.c.clone();
        Gemm.sgemmReference(t.m(), t.n(), t.k(), t.alpha(), o.a, t.aOff(), t.aRs(), t.aCs(),
                o.b, t.bOff(), t.bRs(), t.bCs(), t.beta(), ref, t.cOff(), t.ldc());
        for (int mr : TILES) {
            float[] one = fast(ONE_THREAD, mr, t, o);
            float[] two = fast(TWO_THREADS, mr, t, o);
            if (!Arrays.equals(one, two)) {
                fail("1 and 2 threads differ, tile height " + mr + ", " + t);
            }
            compare(t, o, ref, one, mr);
        }
    }

    private static void compare(Case t, Operands o, float[] ref, float[] got, int mr) {
        int ldc = t.ldc();
        for (int x = 0; x < got.length; x++) {
            int rel = x - t.cOff();
            boolean inside = rel >= 0 && rel / ldc < t.m() && rel % ldc < t.n();
            if (!inside) {
                if (Float.floatToRawIntBits(got[x]) != Float.floatToRawIntBits(o.c[x])) {
                    fail("wrote outside C at index " + x + ", tile height " + mr + ", " + t);
                }
                continue;
            }
            int i = rel / ldc;
            int j = rel % ldc;
            double magnitude = 0;
            for (int p = 0; p < t.k(); p++) {
                magnitude += Math.abs((double) o.a[t.aOff() + i * t.aRs() + p * t.aCs()]
                        * o.b[t.bOff() + p * t.bRs() + j * t.bCs()]);
            }
            double bound = 1e-5 * (Math.abs(t.alpha()) * magnitude + (t.beta() == 0 ? 0 : Math.abs(t.beta() * o.c[x])))
                    + 1e-6;
            if (!(Math.abs(got[x] - ref[x]) <= bound)) {
                fail("C(" + i + ", " + j + ") = " + got[x] + ", reference " + ref[x] + " (bound " + bound
                        + "), tile height " + mr + ", " + t);
            }
        }
    }

    @Test
    void smallRowsOverAWeightsPanelsMatchTheReferenceAndGiveEachRowItsOwnBits() {
        java.util.Random r = new java.util.Random(5);
        for (float beta : new float[] {0f, 1f}) {                // with and without a bias
            for (int m : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 13, 32}) {
                for (int[] nk : new int[][] {{37, 29}, {128, 128}, {300, 64}, {64, 40}}) {
                    int n = nk[0];
                    int k = nk[1];
                    float[] a = new float[m * k];
                    float[] w = new float[n * k];                  // (n, k) row-major, as linear keeps it
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian();
                    }
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < k; p++) {
                            w[j * k + p] = (float) r.nextGaussian();
                        }
                    }
                    float[] bias = new float[m * n];
                    for (int i = 0; i < bias.length; i++) {
                        bias[i] = (float) r.nextGaussian();
                    }
                    float[] c = bias.clone();
                    float[] panels = Gemm.panels(n, k, w, 0, k, 1);
                    Gemm.smallRows(m, n, k, a, 0, k, panels, beta, c, 0, n);
                    float[] ref = bias.clone();
                    Gemm.sgemmReference(m, n, k, 1f, a, 0, k, 1, w, 0, 1, k, beta, ref, 0, n);
                    for (int i = 0; i < m; i++) {
                        float[] alone = java.util.Arrays.copyOfRange(bias, i * n, (i + 1) * n);
                        Gemm.smallRows(1, n, k, a, i * k, k, panels, beta, alone, 0, n);
                        for (int j = 0; j < n; j++) {
                            assertThat(c[i * n + j]).as("beta=%s m=%d n=%d k=%d (%d, %d)", beta, m, n, k, i, j)
                                    .isEqualTo(alone[j]);
                            assertThat(c[i * n + j])
                                    .isCloseTo(ref[i * n + j], org.assertj.core.data.Offset.offset(1e-3f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void theBlockedProductOverPanelsGivesTheBitsOfTheBlockedProductOverTheMatrix() {
        // B packed from panels, copied run by run, must hold what packing W itself gives: several
        // blocks of k (600 > KC), a last partial panel (n = 70), whole and partial row tiles
        java.util.Random r = new java.util.Random(8);
        for (int[] mnk : new int[][] {{40, 70, 600}, {33, 32, 17}, {100, 130, 128}}) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            float[] a = new float[m * k];
            float[] w = new float[n * k];                  // (n, k) row-major, as linear keeps it
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            float[] panels = Gemm.panels(n, k, w, 0, k, 1);
            assertThat(panels).hasSize((n + Gemm.NR - 1) / Gemm.NR * Gemm.NR * k);
            for (float beta : new float[] {0f, 1f}) {
                float[] bias = new float[m * n];
                for (int i = 0; i < bias.length; i++) {
                    bias[i] = (float) r.nextGaussian();
                }
                float[] fromPanels = bias.clone();
                Gemm.sgemmPanels(m, n, k, a, 0, k, panels, beta, fromPanels, 0, n);
                float[] fromMatrix = bias.clone();
                Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, w, 0, 1, k, beta, fromMatrix, 0, n);
                assertThat(fromPanels).as("m=%d n=%d k=%d beta=%s", m, n, k, beta).containsExactly(fromMatrix);
            }
        }
        assertThatThrownBy(() -> Gemm.sgemmPanels(40, 70, 600, new float[40 * 600], 0, 600, new float[10], 0f,
                new float[40 * 70], 0, 70)).hasMessageContaining("floats of panels");
    }

    @Test
    void aFewRowsTimesAWeightGiveEachRowTheBitsItHasAlone() {
        java.util.Random r = new java.util.Random(3);
        for (int m = 2; m <= 8; m++) {
            for (int[] nk : new int[][] {{37, 29}, {128, 128}, {300, 200}}) {
                int n = nk[0];
                int k = nk[1];
                float[] a = new float[m * k];
                float[] w = new float[n * k];                  // (n, k) row-major: B(p, j) = w[j*k + p]
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) r.nextGaussian();
                }
                float[] c = new float[m * n];
                Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, w, 0, 1, k, 0f, c, 0, n);
                float[] ref = new float[m * n];
                Gemm.sgemmReference(m, n, k, 1f, a, 0, k, 1, w, 0, 1, k, 0f, ref, 0, n);
                for (int i = 0; i < m; i++) {
                    float[] alone = new float[n];
                    Gemm.sgemm(1, n, k, 1f, a, i * k, k, 1, w, 0, 1, k, 0f, alone, 0, n);
                    for (int j = 0; j < n; j++) {
                        assertThat(c[i * n + j]).as("m=%d n=%d k=%d row %d col %d", m, n, k, i, j)
                                .isEqualTo(alone[j]);
                        assertThat(c[i * n + j]).isCloseTo(ref[i * n + j], org.assertj.core.data.Offset.offset(1e-3f));
                    }
                }
            }
        }
    }

    @Test
    void squareAndRaggedSizesMatchTheReference() {
        int[] sizes = {1, 2, 3, 4, 5, 7, 8, 13, 14, 15, 16, 17, 28, 29, 31, 32, 33, 64, 65, 97, 128, 129};
        long seed = 1;
        for (int m : sizes) {
            for (int n : new int[] {1, 3, 16, 31, 32, 33, 65}) {
                check(Case.plain(m, n, m % 7 + 1), seed++);
                check(Case.plain(m, n, 37), seed++);
            }
        }
        for (int s : sizes) {
            check(Case.plain(s, s, s), seed++);
        }
    }

    @Test
    void largerAndPrimeShapesMatchTheReference() {
        int[][] shapes = {{127, 131, 137}, {300, 17, 61}, {61, 300, 17}, {17, 61, 300}, {211, 199, 223},
                {256, 256, 256}, {1, 300, 257}, {300, 1, 257}, {257, 33, 1}, {2, 277, 131}, {29, 293, 150}};
        long seed = 100;
        for (int[] s : shapes) {
            check(Case.plain(s[0], s[1], s[2]), seed++);
        }
    }

    @Test
    void longSumsCrossBlocksOfK() {
        // more than one block of k for both tiles (KC_NARROW = 256, KC_WIDE = 1024), with beta
        check(new Case(33, 70, Gemm.KC_WIDE + 77, false, false, 0.5f, 0.75f, 1, 2, 3, 1, 2, 3), 7);
        check(new Case(70, 33, Gemm.KC_NARROW * 2 + 5, true, true, 1f, 1f, 0, 0, 0, 0, 0, 0), 8);
        check(new Case(15, 35, Gemm.KC_NARROW + 1, false, true, -2f, 0f, 0, 1, 0, 3, 0, 0), 9);
    }

    @Test
    void allFourTransposeCombinationsWithOffsetsAndPaddedRows() {
        long seed = 200;
        int[][] shapes = {{1, 1, 1}, {5, 7, 3}, {14, 32, 9}, {30, 50, 70}, {45, 33, 100}, {97, 65, 40}};
        for (int[] s : shapes) {
            for (boolean aT : new boolean[] {false, true}) {
                for (boolean bT : new boolean[] {false, true}) {
                    check(new Case(s[0], s[1], s[2], aT, bT, 1f, 0f, 3, 5, 7, 2, 3, 4), seed++);
                    check(new Case(s[0], s[1], s[2], aT, bT, -0.5f, 2f, 1, 0, 2, 0, 1, 1), seed++);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 1f, -1f, 0.25f})
    void alphaAndBetaVariations(float beta) {
        long seed = 300;
        for (float alpha : new float[] {1f, -1f, 0.5f, 3f, 0f}) {
            check(new Case(37, 45, 29, false, false, alpha, beta, 0, 0, 0, 0, 0, 5), seed++);
            check(new Case(1, 45, 29, false, true, alpha, beta, 2, 0, 1, 0, 0, 0), seed++);
            check(new Case(37, 1, 29, true, false, alpha, beta, 0, 3, 0, 1, 0, 2), seed++);
        }
    }

    @Test
    void betaZeroNeverReadsC() {
        // C full of NaN (Operands does that for beta 0): none may survive, on any path
        int[][] shapes = {{1, 40, 9}, {40, 1, 9}, {3, 3, 0}, {50, 70, 33}, {14, 32, 1}, {1, 1, 1}};
        long seed = 400;
        for (int[] s : shapes) {
            for (boolean bT : new boolean[] {false, true}) {
                Case t = new Case(s[0], s[1], s[2], false, bT, 1.5f, 0f, 0, 0, 0, 0, 0, 2);
                Operands o = new Operands(t, seed++);
                for (int mr : TILES) {
                    float[] c = fast(TWO_THREADS, mr, t, o);
                    for (int i = 0; i < t.m(); i++) {
                        for (int j = 0; j < t.n(); j++) {
                            assertThat(c[i * t.ldc() + j]).as("C(%d, %d) for %s", i, j, t).isNotNaN();
                        }
                    }
                }
                check(t, seed++);
            }
        }
    }

    @Test
    void kZeroScalesCByBeta() {
        check(new Case(9, 11, 0, false, false, 1f, 0.5f, 0, 0, 1, 0, 0, 2), 500);
        check(new Case(9, 11, 0, false, false, 1f, 0f, 0, 0, 1, 0, 0, 2), 501);
        check(new Case(1, 11, 0, false, false, 1f, 2f, 0, 0, 0, 0, 0, 0), 502);
    }

    @Test
    void emptyProductsDoNothing() {
        float[] c = {1f, 2f, 3f};
        Gemm.sgemm(0, 3, 4, 1f, new float[0], 0, 4, 1, new float[12], 0, 3, 1, 0f, c, 0, 3);
        Gemm.sgemm(1, 0, 4, 1f, new float[4], 0, 4, 1, new float[0], 0, 0, 1, 0f, c, 0, 0);
        assertThat(c).containsExactly(1f, 2f, 3f);
    }

    @Test
    void sharedPoolGivesTheSameBitsAsOneThread() {
        // large enough to be split across the shared pool's threads, rows and columns
        int[][] shapes = {{300, 200, 150}, {20, 900, 70}, {1, 5000, 64}, {5000, 1, 64}};
        long seed = 600;
        for (int[] s : shapes) {
            for (boolean bT : new boolean[] {false, true}) {
                Case t = new Case(s[0], s[1], s[2], false, bT, 1f, 0.5f, 0, 0, 0, 0, 0, 0);
                Operands o = new Operands(t, seed++);
                float[] one = fast(ONE_THREAD, Gemm.MR, t, o);
                float[] shared = o.c.clone();
                Gemm.sgemm(t.m(), t.n(), t.k(), t.alpha(), o.a, 0, t.aRs(), t.aCs(), o.b, 0, t.bRs(), t.bCs(),
                        t.beta(), shared, 0, t.ldc());
                assertThat(shared).as("%s", t).isEqualTo(one);
                float[] again = o.c.clone();
                Gemm.sgemm(t.m(), t.n(), t.k(), t.alpha(), o.a, 0, t.aRs(), t.aCs(), o.b, 0, t.bRs(), t.bCs(),
                        t.beta(), again, 0, t.ldc());
                assertThat(again).as("run twice, %s", t).isEqualTo(shared);
            }
        }
    }

    @Test
    void randomShapesMatchTheReference() {
        Random random = new Random(700);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + random.nextInt(random.nextBoolean() ? 20 : 150);
            int n = 1 + random.nextInt(random.nextBoolean() ? 20 : 150);
            int k = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 20 : 300);
            float alpha = random.nextInt(3) == 0 ? 1f : random.nextFloat() * 4 - 2;
            float beta = switch (random.nextInt(3)) {
                case 0 -> 0f;
                case 1 -> 1f;
                default -> random.nextFloat() * 4 - 2;
            };
            check(new Case(m, n, k, random.nextBoolean(), random.nextBoolean(), alpha, beta,
                    random.nextInt(4), random.nextInt(4), random.nextInt(4),
                    random.nextInt(3), random.nextInt(3), random.nextInt(3)), trial);
        }
    }

    @Test
    void rejectsAnUnknownTileHeightAndNegativeSizes() {
        assertThatThrownBy(() -> Gemm.sgemm(ONE_THREAD, 5, 2, 2, 2, 1f, new float[4], 0, 2, 1, new float[4], 0, 2, 1,
                0f, new float[4], 0, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tile");
        assertThatThrownBy(() -> Gemm.sgemm(-1, 2, 2, 1f, new float[4], 0, 2, 1, new float[4], 0, 2, 1,
                0f, new float[4], 0, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
    }
}
