package dev.hearth.engine.kernels;

/**
 * Single-precision general matrix multiply: {@code C = alpha * A * B + beta * C}.
 *
 * <p>Shapes and layout: A is m x k with element (i, p) at {@code a[aOff + i*aRs + p*aCs]}, B is
 * k x n with element (p, j) at {@code b[bOff + p*bRs + j*bCs]}, so either operand may be a
 * transposed or strided view without a copy; C is m x n, row-major with row stride {@code ldc}:
 * element (i, j) at {@code c[cOff + i*ldc + j]}. When {@code beta == 0} C is only written, never
 * read (NaNs in it do not propagate).
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs,
                             float beta, float[] c, int cOff, int ldc) {
        sgemmReference(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
    }

    /** The plain triple loop, accumulating in double; tests compare the fast path against it. */
    public static void sgemmReference(int m, int n, int k, float alpha,
                                      float[] a, int aOff, int aRs, int aCs,
                                      float[] b, int bOff, int bRs, int bCs,
                                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = (float) (alpha * s + (beta == 0 ? 0 : beta * c[ci]));
            }
        }
    }
}
