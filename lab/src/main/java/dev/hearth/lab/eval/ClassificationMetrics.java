package dev.hearth.lab.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classification metrics of scikit-learn, computed from true classes and predicted class
 * probabilities (the prediction is the most probable class, the first on a tie):
 *
 * <ul>
 *   <li>precision, recall and F1 per class ({@code precision_recall_fscore_support}, 0 where a denominator is 0,
 *       as {@code zero_division=0}), and their macro (plain mean), micro (from the summed counts; equal to the
 *       accuracy for single-label data) and weighted (by true count) averages, over the classes that occur in the
 *       labels or the predictions, as scikit-learn takes them;</li>
 *   <li>the confusion matrix, rows the true class, columns the predicted one, over all the model's classes;</li>
 *   <li>ROC-AUC: for two classes that of the second class's probability ({@code roc_auc_score(y, p[:, 1])}); for
 *       more, one-vs-rest per class and their plain mean ({@code multi_class="ovr", average="macro"}); NaN where a
 *       class has no positive or no negative row (the macro mean is then over the defined classes);</li>
 *   <li>log loss ({@code log_loss}, probabilities clipped to [1e-15, 1]);</li>
 *   <li>expected calibration error: the top-class confidence in {@code bins} equal-width bins ((i/B, (i+1)/B], the
 *       first also holding 0), the count-weighted mean of |accuracy − mean confidence| per bin (Guo et al. 2017).</li>
 * </ul>
 */
public record ClassificationMetrics(int count, double accuracy, List<PerClass> perClass, Average macro, Average micro,
                                    Average weighted, long[][] confusion, double rocAuc, double[] rocAucPerClass,
                                    double logLoss, double ece, List<Bin> reliability) {

    /** scikit-learn's per-class report; {@code support} is the true count. */
    public record PerClass(String name, double precision, double recall, double f1, long support) {}

    public record Average(double precision, double recall, double f1) {}

    /** One reliability-diagram bin: (low, high], rows in it, their mean confidence and accuracy. */
    public record Bin(double low, double high, long count, double confidence, double accuracy) {}

    public static final int DEFAULT_BINS = 10;

    /** Metrics of probabilities {@code p} (n, classes) against true class ids {@code y}. */
    public static ClassificationMetrics of(int[] y, double[][] p, List<String> classes, int bins) {
        int n = y.length;
        int k = classes.size();
        if (p.length != n) {
            throw new EvaluationException("there are " + n + " labels but " + p.length + " predictions; they must be"
                    + " one per row");
        }
        if (n == 0) {
            throw new EvaluationException("there are no rows to evaluate");
        }
        if (bins < 1) {
            throw new EvaluationException("the calibration error needs at least one bin; got " + bins);
        }
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            if (p[i].length != k) {
                throw new EvaluationException("prediction " + (i + 1) + " has " + p[i].length + " class probabilities,"
                        + " the model has " + k + " classes");
            }
            if (y[i] < 0 || y[i] >= k) {
                throw new EvaluationException("label " + (i + 1) + " is class " + y[i] + ", outside 0.." + (k - 1));
            }
            pred[i] = argmax(p[i]);
        }
        long[][] confusion = new long[k][k];
        long correct = 0;
        for (int i = 0; i < n; i++) {
            confusion[y[i]][pred[i]]++;
            if (y[i] == pred[i]) {
                correct++;
            }
        }
        List<PerClass> per = new ArrayList<>();
        double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
        long tpSum = 0, predSum = 0, trueSum = 0;
        int present = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = 2 * tp + (predicted - tp) + (support - tp) == 0 ? 0
                    : 2.0 * tp / (2 * tp + (predicted - tp) + (support - tp));
            per.add(new PerClass(classes.get(c), precision, recall, f1, support));
            if (support > 0 || predicted > 0) {
                present++;
                mp += precision;
                mr += recall;
                mf += f1;
                wp += precision * support;
                wr += recall * support;
                wf += f1 * support;
                tpSum += tp;
                predSum += predicted;
                trueSum += support;
            }
        }
        double microP = predSum == 0 ? 0 : (double) tpSum / predSum;
        double microR = trueSum == 0 ? 0 : (double) tpSum / trueSum;
        double microF = microP + microR == 0 ? 0 : 2 * microP * microR / (microP + microR);
        double[] aucs = new double[k];
        for (int c = 0; c < k; c++) {
            boolean[] pos = new boolean[n];
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                pos[i] = y[i] == c;
                s[i] = p[i][c];
            }
            aucs[c] = auc(pos, s);
        }
        double auc;
        if (k == 2) {
            auc = aucs[1];
        } else {
            double sum = 0;
            int defined = 0;
            for (double a : aucs) {
                if (!Double.isNaN(a)) {
                    sum += a;
                    defined++;
                }
            }
            auc = defined == 0 ? Double.NaN : sum / defined;
        }
        double ll = 0;
        for (int i = 0; i < n; i++) {
            ll -= Math.log(Math.min(1, Math.max(1e-15, p[i][y[i]])));
        }
        List<Bin> reliability = reliability(y, p, pred, bins);
        double ece = 0;
        for (Bin b : reliability) {
            if (b.count() > 0) {
                ece += (double) b.count() / n * Math.abs(b.accuracy() - b.confidence());
            }
        }
        return new ClassificationMetrics(n, (double) correct / n, List.copyOf(per),
                new Average(mp / present, mr / present, mf / present), new Average(microP, microR, microF),
                new Average(wp / trueSum, wr / trueSum, wf / trueSum), confusion, auc, aucs, ll / n, ece, reliability);
    }

    static int argmax(double[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    private static List<Bin> reliability(int[] y, double[][] p, int[] pred, int bins) {
        long[] count = new long[bins];
        double[] conf = new double[bins];
        double[] acc = new double[bins];
        for (int i = 0; i < y.length; i++) {
            double c = p[i][pred[i]];
            int b = Math.min(bins - 1, Math.max(0, (int) Math.ceil(c * bins) - 1));
            count[b]++;
            conf[b] += c;
            acc[b] += pred[i] == y[i] ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b],
                    count[b] == 0 ? Double.NaN : conf[b] / count[b], count[b] == 0 ? Double.NaN : acc[b] / count[b]));
        }
        return List.copyOf(out);
    }

    /**
     * Area under the ROC curve of {@code score} for the rows where {@code positive}: the Mann-Whitney statistic
     * with tied scores given their mean rank (the same area as the trapezoids through every threshold); NaN without
     * a positive or a negative row.
     */
    public static double auc(boolean[] positive, double[] score) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSum = 0;
        long pos = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1; // mean of ranks i+1..j+1
            for (int t = i; t <= j; t++) {
                if (positive[order[t]]) {
                    rankSum += rank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * The ROC curve of {@code score}: false and true positive rates (and the threshold, "score ≥ t") at every
     * distinct score, from (0, 0) to (1, 1). Rows: fpr, tpr, threshold.
     */
    public static double[][] roc(boolean[] positive, double[] score) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        long pos = 0;
        for (boolean b : positive) {
            if (b) {
                pos++;
            }
        }
        long neg = n - pos;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0, Double.POSITIVE_INFINITY});
        long tp = 0, fp = 0;
        for (int i = 0; i < n; i++) {
            if (positive[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            if (i + 1 == n || score[order[i + 1]] != score[order[i]]) {
                pts.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos, score[order[i]]});
            }
        }
        double[][] out = new double[3][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
            out[2][i] = pts.get(i)[2];
        }
        return out;
    }

    /** Predicted class of each row: the most probable one. */
    public static int[] predictions(double[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = argmax(p[i]);
        }
        return out;
    }
}
