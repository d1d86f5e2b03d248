package dev.hearth.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows progress: a live progress bar with rate and ETA on a terminal, and a line every tenth of
 * the way when the output is a file or a pipe. Two uses: training steps by epoch
 * ({@link #step}), and any task measured in an amount such as bytes ({@link #begin},
 * {@link #update}), which may be updated from another thread than the one that began it.
 */
final class Progress {
    private final PrintWriter out;
    private final int itemsPerStep;
    private final boolean terminal = System.console() != null && System.console().isTerminal();
    private ProgressBar bar;
    private long epochStart;
    private int lastTenth;

    Progress(PrintWriter out, int itemsPerStep) {
        this.out = out;
        this.itemsPerStep = itemsPerStep;
    }

    void step(int epoch, int epochs, int step, int steps, double loss) {
        if (step == 1) {
            epochStart = System.nanoTime();
            lastTenth = 0;
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs))
                        .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                        .setUnit(" steps", 1).showSpeed().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(
                                System.out)).build();
            }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        double rate = step * itemsPerStep / Math.max(seconds, 1e-9);
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format("loss %.4f, %,.0f img/s", loss, rate));
            return;
        }
        int tenth = step * 10 / steps;
        if (tenth > lastTenth) {
            lastTenth = tenth;
            double eta = seconds / step * (steps - step);
            out.printf("  epoch %d/%d %3d%% step %d/%d loss %.4f, %,.0f img/s, ETA %.0f s%n", epoch, epochs, tenth * 10,
                    step, steps, loss, rate, eta);
        }
    }

    // ---- a task measured in an amount (bytes shown as MB, ...) ----

    private String task;
    private long total;
    private String unit;
    private long unitSize;
    private long taskStart;

    /** Starts a task of {@code total} in units of {@code unitSize} named {@code unit} (such as " MB", 1,000,000). */
    synchronized void begin(String task, long total, String unit, long unitSize) {
        done();
        this.task = task;
        this.total = Math.max(total, 1);
        this.unit = unit;
        this.unitSize = unitSize;
        this.taskStart = System.nanoTime();
        this.lastTenth = 0;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(this.total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).setUnit(unit, unitSize).showSpeed()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.out)).build();
        }
    }

    /** {@code done} of the task's total is done. */
    synchronized void update(long done) {
        if (task == null) {
            return;
        }
        if (bar != null) {
            bar.stepTo(Math.min(done, total));
            return;
        }
        int tenth = (int) Math.min(10, done * 10 / total);
        if (tenth > lastTenth) {
            lastTenth = tenth;
            double seconds = (System.nanoTime() - taskStart) / 1e9;
            double rate = done / (double) unitSize / Math.max(seconds, 1e-9);
            double eta = done == 0 ? 0 : seconds / done * (total - done);
            out.printf("  %s %3d%% %,.1f/%,.1f%s, %,.1f %s/s, ETA %.0f s%n", task, tenth * 10,
                    done / (double) unitSize, total / (double) unitSize, unit, rate, unit.strip(), eta);
        }
    }

    synchronized void done() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        task = null;
    }
}
