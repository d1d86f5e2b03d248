package dev.hearth.lab;

import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The folder everything a user makes lives in: {@code --home}, else {@code HEARTH_HOME}, else
 * {@code ./.hearth}. Runs go to {@code runs/<id>/}, datasets to {@code datasets/<name>/}, models
 * to {@code models/<name>/<version>/}.
 */
public record Workspace(Path home) {

    /** The workspace chosen by an explicit path (may be null), then HEARTH_HOME, then ./.hearth. */
    public static Workspace resolve(Path explicit) {
        if (explicit != null) {
            return new Workspace(explicit.toAbsolutePath().normalize());
        }
        String env = System.getenv("HEARTH_HOME");
        if (env != null && !env.isBlank()) {
            return new Workspace(Path.of(env).toAbsolutePath().normalize());
        }
        return new Workspace(Path.of(".hearth").toAbsolutePath().normalize());
    }

    /** Where registered model versions are kept: {@code models/<name>/<version>/}. */
    public Path models() {
        return home.resolve("models");
    }

    public Path runs() {
        return home.resolve("runs");
    }

    /** Creates {@code runs/<date>-<time>-<kind>-<random>/} and returns it. */
    public RunFolder newRun(String kind) {
        String id = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + kind + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        Path dir = runs().resolve(id);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HearthException("cannot create the run folder " + dir + ": " + e.getMessage()
                    + " (choose another workspace with --home or HEARTH_HOME)", e);
        }
        return new RunFolder(id, dir);
    }
}
