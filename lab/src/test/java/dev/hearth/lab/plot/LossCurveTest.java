package dev.hearth.lab.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurveTest {

    @Test
    void writesThePngAndSvg(@TempDir Path dir) throws Exception {
        LossCurve.write(dir, "loss", "a run", List.of(new LossCurve.Series("train", List.of(1, 2), List.of(2.0, 1.0)),
                new LossCurve.Series("val", List.of(), List.of())));
        byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        assertThat(Files.readString(dir.resolve("loss.svg"))).contains("<svg");
    }

    @Test
    void aPlotWrittenWhileTheJvmShutsDownIsWritten(@TempDir Path dir) throws Exception {
        // a training run stopped by Ctrl-C or SIGTERM writes its last plot from a shutdown hook;
        // ImageIO's disk cache used to register a hook of its own there and fail
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                PlotAtShutdown.class.getName(), dir.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).doesNotContain("Exception");
        assertThat(dir.resolve("loss.png")).isNotEmptyFile();
        assertThat(dir.resolve("loss.svg")).isNotEmptyFile();
    }
}
