package dev.hearth.engine.ops;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * The soft-target loss of knowledge distillation (Hinton et al., 2015): for each row of logits,
 * the teacher's distribution {@code p = softmax(teacher / T)} and the student's
 * {@code q = softmax(student / T)},
 *
 * <pre>
 * loss = T^2 * mean over rows of KL(p || q) = T^2 * mean_r sum_c p_rc (log p_rc - log q_rc)
 * d loss / d student_rc = T * (q_rc - p_rc) / rows
 * </pre>
 *
 * The T² factor keeps the gradient's size independent of the temperature, so the soft and the
 * hard-label loss can be mixed with one weight. The teacher's logits are a constant: no gradient
 * flows to them. Rows are averaged like {@link Losses#crossEntropy(Tensor, int[])}.
 */
public final class SoftTargets {
    private SoftTargets() {}

    /**
     * {@code T^2 * KL(softmax(teacher/T) || softmax(student/T))}, averaged over rows.
     *
     * @param student     {@code (..., classes)}, gets a gradient
     * @param teacher     the same shape; treated as a constant
     * @param temperature T, positive
     */
    public static Tensor klDivergence(Tensor student, Tensor teacher, float temperature) {
        if (!student.shape().equals(teacher.shape())) {
            throw ShapeException.of("kl_divergence", student.shape(), teacher.shape(),
                    "student and teacher logits must have the same shape (same batch, sequence and vocabulary)");
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new HearthException("kl_divergence: the temperature must be a positive number, got " + temperature);
        }
        int classes = student.dim(-1);
        int rows = student.numel() / Math.max(classes, 1);
        Tensor s = student.contiguous();
        Tensor t = teacher.contiguous();
        float[] sd = s.data();
        float[] td = t.data();
        int so = s.offset();
        int to = t.offset();
        float invT = 1f / temperature;
        double[] rowLoss = new double[rows];
        int grain = Math.max(1, 4096 / Math.max(classes, 1));
        ComputePool.shared().parallelFor(rows, grain, (r0, r1) -> {
            float[] p = new float[classes];
            float[] logP = new float[classes];
            float[] logQ = new float[classes];
            for (int r = r0; r < r1; r++) {
                logSoftmax(td, to + r * classes, classes, invT, logP);
                logSoftmax(sd, so + r * classes, classes, invT, logQ);
                double kl = 0;
                for (int c = 0; c < classes; c++) {
                    p[c] = (float) Math.exp(logP[c]);
                    kl += p[c] * ((double) logP[c] - logQ[c]);
                }
                rowLoss[r] = kl;
            }
        });
        double total = 0;
        for (double v : rowLoss) {
            total += v;
        }
        double t2 = (double) temperature * temperature;
        Tensor y = Tensor.scalar(rows == 0 ? Float.NaN : (float) (t2 * total / rows));
        return Autograd.record(y, "kl_divergence", new Tensor[] {student}, g -> {
            float scale = g.item() * temperature / rows;
            float[] dx = new float[rows * classes];
            ComputePool.shared().parallelFor(rows, grain, (r0, r1) -> {
                float[] logP = new float[classes];
                float[] logQ = new float[classes];
                for (int r = r0; r < r1; r++) {
                    logSoftmax(td, to + r * classes, classes, invT, logP);
                    logSoftmax(sd, so + r * classes, classes, invT, logQ);
                    int o = r * classes;
                    for (int c = 0; c < classes; c++) {
                        dx[o + c] = scale * (float) (Math.exp(logQ[c]) - Math.exp(logP[c]));
                    }
                }
            });
            return new Tensor[] {Tensor.of(dx, student.shape().toArray())};
        });
    }

    /** {@code out = log_softmax(x[o .. o+n) * invT)}, with the row max taken out for precision. */
    private static void logSoftmax(float[] x, int o, int n, float invT, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, x[o + c] * invT);
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            out[c] = x[o + c] * invT - max;
            sum += Math.exp(out[c]);
        }
        float log = (float) Math.log(sum);
        for (int c = 0; c < n; c++) {
            out[c] -= log;
        }
    }

    /**
     * The plain reference: the same quantity in double precision, one row at a time, with
     * nothing shared with the fast path; tests compare the two.
     */
    public static double klDivergenceReference(float[] student, float[] teacher, int classes, double temperature) {
        int rows = student.length / classes;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(teacher, r * classes, classes, temperature);
            double[] q = softmax(student, r * classes, classes, temperature);
            for (int c = 0; c < classes; c++) {
                if (p[c] > 0) {
                    total += p[c] * (Math.log(p[c]) - Math.log(q[c]));
                }
            }
        }
        return temperature * temperature * total / rows;
    }

    private static double[] softmax(float[] x, int o, int n, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, x[o + c] / temperature);
        }
        double[] e = new double[n];
        double sum = 0;
        for (int c = 0; c < n; c++) {
            e[c] = Math.exp(x[o + c] / temperature - max);
            sum += e[c];
        }
        for (int c = 0; c < n; c++) {
            e[c] /= sum;
        }
        return e;
    }
}
