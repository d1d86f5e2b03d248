package dev.hearth.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a live progress bar with rate and ETA on a terminal, and a line
 * every tenth of an epoch when the output is a file or a pipe.
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

    void done() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
