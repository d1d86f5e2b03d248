package dev.hearth.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which code made an artefact: Hearth's version and, when run from a git checkout (the launcher
 * passes {@code -Dhearth.root}), the commit, so runs and models record where they came from.
 */
public final class BuildInfo {
    private BuildInfo() {}

    private static final String VERSION = compute();

    /** "0.1.0-SNAPSHOT+git.1a2b3c4d" or as much of it as is known. */
    public static String version() {
        return VERSION;
    }

    private static String compute() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        String base = v == null ? "development" : v;
        String commit = gitCommit();
        return commit == null ? base : base + "+git." + commit.substring(0, Math.min(12, commit.length()));
    }

    private static String gitCommit() {
        String root = System.getProperty("hearth.root");
        if (root == null) {
            return null;
        }
        Path git = Path.of(root, ".git");
        try {
            String head = Files.readString(git.resolve("HEAD")).trim();
            if (!head.startsWith("ref: ")) {
                return head;
            }
            String ref = head.substring(5);
            Path loose = git.resolve(ref);
            if (Files.isRegularFile(loose)) {
                return Files.readString(loose).trim();
            }
            Path packed = git.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed)) {
                    if (line.endsWith(" " + ref)) {
                        return line.substring(0, line.indexOf(' '));
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
