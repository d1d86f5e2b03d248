package dev.hearth.engine.optim;

/** The learning rate to use at each optimisation step (counted from 0). */
@FunctionalInterface
public interface LearningRateSchedule {

    double at(long step);

    /** The same rate throughout. */
    static LearningRateSchedule constant(double lr) {
        return step -> lr;
    }

    /**
     * Linear warmup from 0 to {@code maxLr} over {@code warmup} steps, then cosine decay to
     * {@code minLr} at step {@code total}, and {@code minLr} after (nanoGPT's schedule).
     */
    static LearningRateSchedule warmupCosine(double maxLr, double minLr, long warmup, long total) {
        check(warmup, total);
        return step -> {
            if (step < warmup) {
                return maxLr * (step + 1) / warmup;
            }
            if (step >= total) {
                return minLr;
            }
            double progress = (double) (step - warmup) / Math.max(1, total - warmup);
            return minLr + 0.5 * (1 + StrictMath.cos(Math.PI * progress)) * (maxLr - minLr);
        };
    }

    /** Linear warmup to {@code maxLr}, then linear decay to {@code endLr} at step {@code total}. */
    static LearningRateSchedule warmupLinear(double maxLr, double endLr, long warmup, long total) {
        check(warmup, total);
        return step -> {
            if (step < warmup) {
                return maxLr * (step + 1) / warmup;
            }
            if (step >= total) {
                return endLr;
            }
            double progress = (double) (step - warmup) / Math.max(1, total - warmup);
            return maxLr + (endLr - maxLr) * progress;
        };
    }

    private static void check(long warmup, long total) {
        if (warmup < 0 || total < warmup) {
            throw new IllegalArgumentException("schedule needs 0 <= warmup <= total, got warmup " + warmup + ", total "
                    + total);
        }
    }
}
