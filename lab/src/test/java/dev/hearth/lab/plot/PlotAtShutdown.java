package dev.hearth.lab.plot;

import java.nio.file.Path;
import java.util.List;

/** Writes a loss plot from a shutdown hook, as a training run stopped by Ctrl-C or SIGTERM does. */
public final class PlotAtShutdown {
    private PlotAtShutdown() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LossCurve.write(dir, "loss", "stopped run",
                List.of(new LossCurve.Series("train", List.of(1, 2, 3), List.of(3.0, 2.0, 1.5))))));
    }
}
