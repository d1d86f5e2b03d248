package dev.hearth.lab.plot;

import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes charts as PNG files. */
final class PngFiles {
    private PngFiles() {}

    /**
     * Writes {@code chart} to {@code file} as a PNG. ImageIO's on-disk cache is turned off first: its
     * first use registers a shutdown hook, which fails once the JVM is shutting down, and a training
     * run stopped with Ctrl-C or SIGTERM writes its last plot at exactly that moment. A plot is
     * small enough to encode in memory.
     */
    static void write(Chart<?, ?> chart, Path file) throws IOException {
        ImageIO.setUseCache(false);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
