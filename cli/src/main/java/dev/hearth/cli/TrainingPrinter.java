package dev.hearth.cli;

import dev.hearth.lab.train.LanguageModelTraining;
import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Prints progress: a bar on a terminal, a line per evaluation and every tenth of the run otherwise. */
final class TrainingPrinter implements LanguageModelTraining.Listener {
    private final PrintWriter out;
    private final boolean terminal = System.console() != null && System.console().isTerminal();
    private ProgressBar bar;
    private int lastTenth = -1;
    private LanguageModelTraining.Start start;

    TrainingPrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onStart(LanguageModelTraining.Start s) {
        this.start = s;
        out.printf("run:     %s (%s)%n", s.runId(), s.runDir());
        out.printf("data:    %s: %,d train tokens, %,d val tokens, vocabulary %,d%n", s.dataset(), s.trainTokens(),
                s.valTokens(), s.vocabSize());
        out.printf("model:   %,d parameters; %,d tokens per step; steps %d..%d%n", s.parameters(), s.tokensPerStep(),
                s.fromStep() + 1, s.maxSteps());
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(s.maxSteps())
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed()
                    .setUnit(" steps", 1).setConsumer(new ConsoleProgressBarConsumer(System.out)).build();
            bar.stepTo(s.fromStep());
        }
    }

    @Override
    public void onStep(LanguageModelTraining.Step s) {
        if (bar != null) {
            bar.stepTo(s.step());
            bar.setExtraMessage(String.format("loss %.4f, %,.0f tok/s", s.loss(), s.tokensPerSecond()));
            return;
        }
        int tenth = s.step() * 10 / s.maxSteps();
        if (tenth != lastTenth) {
            lastTenth = tenth;
            int done = s.step() - start.fromStep();
            double eta = s.seconds() / Math.max(1, done) * (s.maxSteps() - s.step());
            out.printf("  step %d/%d loss %.4f lr %.2e, %,.0f tok/s, ETA %.0f s%n", s.step(), s.maxSteps(), s.loss(),
                    s.lr(), s.tokensPerSecond(), eta);
        }
    }

    @Override
    public void onEval(LanguageModelTraining.Eval e) {
        String line = String.format("step %d: train loss %.4f, val loss %.4f%s", e.step(), e.trainLoss(), e.valLoss(),
                e.best() ? " (best so far)" : "");
        if (bar != null) {
            bar.pause();
            System.out.print("\r");
            out.println(line);
            bar.resume();
        } else {
            out.println(line);
        }
    }

    @Override
    public void onPrivacy(LanguageModelTraining.Privacy p) {
        String line = Double.isNaN(p.epsilon())
                ? String.format("privacy: DP-SGD over %,d sequences, noise multiplier %.4f, clipping norm %s, sample"
                        + " rate %s (%s accountant)", p.examples(), p.noiseMultiplier(), DpCommand.number(p.clipNorm()),
                        DpCommand.number(p.sampleRate()), p.accountant())
                : String.format("step %d: privacy spent epsilon %.3f at delta %s", p.step(), p.epsilon(),
                        DpCommand.number(p.delta()));
        if (bar != null) {
            bar.pause();
            System.out.print("\r");
            out.println(line);
            bar.resume();
        } else {
            out.println(line);
        }
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /**
     * The closing line of a run: how it ended, after how many steps, and its validation losses, or
     * that none was measured yet (a run stopped before its first evaluation).
     */
    static String outcome(LanguageModelTraining.Result r) {
        String losses = r.bestStep() < 0 ? "no validation loss yet (the run ended before its first evaluation)"
                : String.format(java.util.Locale.ROOT, "best val loss %.4f at step %d, last %.4f", r.bestValLoss(),
                        r.bestStep(), r.lastValLoss());
        return String.format(java.util.Locale.ROOT, "%s after %d steps (%.0f s, %,d tokens): %s", r.status(), r.steps(),
                r.seconds(), r.tokensSeen(), losses);
    }
}
