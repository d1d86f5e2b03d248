package dev.hearth.guard.explain;

/** Small dense weighted least-squares solves for LIME and KernelSHAP (tens to hundreds of unknowns). */
final class LeastSquares {
    private LeastSquares() {}

    /**
     * β minimising Σ w_i (y_i - x_i·β)² + ridge·|β|², from the normal equations solved by
     * Gaussian elimination with partial pivoting. {@code x} is (n, p), row-major.
     */
    static double[] solve(double[][] x, double[] y, double[] w, double ridge) {
        int p = x.length == 0 ? 0 : x[0].length;
        double[][] a = new double[p][p + 1];
        for (int i = 0; i < x.length; i++) {
            double[] row = x[i];
            for (int j = 0; j < p; j++) {
                double wj = w[i] * row[j];
                if (wj == 0) {
                    continue;
                }
                for (int k = j; k < p; k++) {
                    a[j][k] += wj * row[k];
                }
                a[j][p] += wj * y[i];
            }
        }
        for (int j = 0; j < p; j++) {
            for (int k = 0; k < j; k++) {
                a[j][k] = a[k][j];
            }
            a[j][j] += ridge;
        }
        for (int col = 0; col < p; col++) {
            int pivot = col;
            for (int r = col + 1; r < p; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            double diag = a[col][col];
            if (Math.abs(diag) < 1e-300) {
                throw new ExplainException("the regression is singular: too few distinct samples for " + p
                        + " features; raise the number of samples");
            }
            for (int r = 0; r < p; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col] / diag;
                    for (int k = col; k <= p; k++) {
                        a[r][k] -= f * a[col][k];
                    }
                }
            }
        }
        double[] beta = new double[p];
        for (int j = 0; j < p; j++) {
            beta[j] = a[j][p] / a[j][j];
        }
        return beta;
    }
}
