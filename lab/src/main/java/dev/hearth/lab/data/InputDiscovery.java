package dev.hearth.lab.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the inputs given (files and folders) into the files to read, in a fixed order: inputs
 * in the order given, each folder's files sorted by their path within it. Folders are searched
 * recursively; hidden files and folders (names starting with '.') and the output folder are
 * passed over; other files of a type Hearth does not read are reported as skipped.
 */
final class InputDiscovery {
    private InputDiscovery() {}

    /** A file found in a folder but not read. */
    record Unsupported(Path path) {}

    record Found(List<InputFile> files, List<Unsupported> unsupported) {}

    static Found discover(List<Path> inputs, Path outputDir) {
        List<InputFile> files = new ArrayList<>();
        List<Unsupported> unsupported = new ArrayList<>();
        Map<Path, Path> seen = new HashMap<>();
        Path out = outputDir == null ? null : outputDir.toAbsolutePath().normalize();
        for (Path given : inputs) {
            Path input = given.toAbsolutePath().normalize();
            if (!Files.exists(input)) {
                throw new DataInputException("the input " + given + " does not exist (looked for " + input
                        + "); check the path");
            }
            if (Files.isDirectory(input)) {
                for (Path p : listFolder(input, out)) {
                    String key = key(input.relativize(p));
                    add(files, unsupported, seen, p, key, given, false);
                }
            } else if (Files.isRegularFile(input)) {
                add(files, unsupported, seen, input, input.getFileName().toString(), given, true);
            } else {
                throw new DataInputException("the input " + given + " is neither a file nor a folder");
            }
        }
        return new Found(files, unsupported);
    }

    private static void add(List<InputFile> files, List<Unsupported> unsupported, Map<Path, Path> seen, Path p,
            String key, Path given, boolean explicit) {
        String name = p.getFileName().toString();
        InputFormat format = InputFormat.ofFileName(name);
        if (format == null) {
            if (explicit) {
                throw new DataInputException("the input " + given + " is not a type Hearth reads: it reads "
                        + InputFormat.SUPPORTED + "; rename a plain text file to .txt");
            }
            unsupported.add(new Unsupported(p));
            return;
        }
        Path before = seen.putIfAbsent(p, given);
        if (before != null) {
            throw new DataInputException(p + " is given twice (through " + before + " and " + given
                    + "); give each file once, or its documents would be counted twice");
        }
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new DataInputException("cannot read " + p + ": " + e.getMessage(), e);
        }
        files.add(new InputFile(p, key, format, InputFormat.isGzip(name), size));
    }

    private static List<Path> listFolder(Path dir, Path out) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir))
                    .filter(p -> out == null || !p.startsWith(out))
                    .filter(p -> !isHidden(dir.relativize(p)))
                    .filter(Files::isRegularFile)
                    .sorted((a, b) -> key(dir.relativize(a)).compareTo(key(dir.relativize(b))))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataInputException("cannot list the folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String key(Path relative) {
        StringBuilder sb = new StringBuilder();
        for (Path part : relative) {
            sb.append(sb.isEmpty() ? "" : "/").append(part);
        }
        return sb.toString();
    }
}
