package dev.hearth.engine.tokenize;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared data sets beside the project (../shared/data), or a skipped test when they are absent. */
final class SharedData {
    private SharedData() {}

    static Path folder() {
        for (Path p : new Path[] {Path.of("../../shared/data"), Path.of("../shared/data")}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** The text of a shared file; skips the calling test, saying why, when it is not there. */
    static String text(String name) {
        Path dir = folder();
        assumeTrue(dir != null && Files.exists(dir.resolve(name)),
                "skipped: the shared data file " + name + " is absent (expected in ../shared/data beside the project)");
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
