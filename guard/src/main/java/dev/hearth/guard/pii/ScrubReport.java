package dev.hearth.guard.pii;

import java.util.List;
import java.util.Map;

/**
 * What a scrub did, per file: records read and written (always equal), what was found by type,
 * and every record that could not be read as it should (with its number and the reason), or why a
 * file was skipped. Holds no personal data: counts and positions only.
 */
public record ScrubReport(long files, long records, long bytes, Map<String, Long> found, long problems,
                          List<FileReport> perFile) {

    /** One input file. {@code skipped} is null when the file was scrubbed. */
    public record FileReport(String input, String output, String format, long records, long bytes,
                             Map<String, Long> found, List<Problem> problems, String skipped) {}

    /** A record that was not read cleanly; {@code record} counts from 1 (lines, or CSV rows after the header). */
    public record Problem(long record, String reason) {}

    static ScrubReport of(List<FileReport> files) {
        TypeCounts all = new TypeCounts();
        long records = 0;
        long bytes = 0;
        long problems = 0;
        for (FileReport f : files) {
            records += f.records();
            bytes += f.bytes();
            problems += f.problems().size() + (f.skipped() == null ? 0 : 1);
            f.found().forEach((t, n) -> {
                for (long k = 0; k < n; k++) {
                    all.add(EntityType.valueOf(t));
                }
            });
        }
        return new ScrubReport(files.size(), records, bytes, all.asMap(), problems, List.copyOf(files));
    }
}
