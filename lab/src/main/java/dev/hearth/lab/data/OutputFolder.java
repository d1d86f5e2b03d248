package dev.hearth.lab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The dataset folder: checks before writing, and the clean-up after a failure. */
final class OutputFolder {
    private OutputFolder() {}

    private static final Pattern OURS = Pattern.compile(
            "manifest\\.json|tokenizer\\.json|(train|val)-\\d{5,}\\.bin|.*\\.tmp|" + DatasetScrub.FOLDER + "|"
                    + DatasetScrub.REPORT.replace(".", "\\."));

    /**
     * Creates {@code dir} or makes it ready to be written: refuses a folder that holds a dataset
     * (unless {@code force}) or other files (hidden ones aside; {@code force} writes beside them),
     * and removes what an unfinished or replaced preparation left. Returns whether it was created.
     */
    static boolean prepare(Path dir, boolean force) {
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir);
                return true;
            }
            if (!Files.isDirectory(dir)) {
                throw new DataInputException("the output " + dir + " is a file, not a folder; choose another --out");
            }
            Path manifest = dir.resolve(DatasetManifest.FILE);
            if (Files.exists(manifest) && !force) {
                throw new DataInputException(dir + " already holds a dataset (" + DatasetManifest.FILE + " is"
                        + " there); use --force to replace it, or choose another --name or --out");
            }
            List<String> foreign;
            try (Stream<Path> s = Files.list(dir)) {
                foreign = s.map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith(".") && !OURS.matcher(n).matches()).sorted().toList();
            }
            if (!foreign.isEmpty() && !force) {
                throw new DataInputException(dir + " holds files that are not part of a dataset ("
                        + foreign.stream().limit(3).toList()
                        + (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "") + "); choose a new"
                        + " or empty folder with --out (or --force to write beside them)");
            }
            // A folder without a manifest is an unfinished preparation: remove the manifest first.
            Files.deleteIfExists(manifest);
            removeOurs(dir);
            return false;
        } catch (IOException e) {
            throw new DataInputException("cannot prepare the output folder " + dir + ": " + e, e);
        }
    }

    /** Removes what a failed preparation wrote, and the folder if this preparation created it and it is empty. */
    static void cleanUp(Path dir, boolean created) {
        try {
            removeOurs(dir);
            if (created) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            // best effort: the folder has no manifest, so it reads as unfinished either way
        }
    }

    private static void removeOurs(Path dir) throws IOException {
        List<Path> ours;
        try (Stream<Path> s = Files.list(dir)) {
            ours = s.filter(p -> OURS.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path p : ours) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> tree = Files.walk(p)) {
                    for (Path q : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
    }
}
