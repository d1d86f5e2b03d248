package dev.hearth.lab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a preparation left out: every skip is counted by reason; the first {@link #RECORD_LIMIT}
 * are kept as records with their file, place and details.
 */
final class SkipLog {
    static final int RECORD_LIMIT = 1000;

    private final Map<String, Long> byReason = new TreeMap<>();
    private final List<DatasetManifest.SkipRecord> records = new ArrayList<>();
    private long count;

    void add(String input, String location, SkipReason reason, String detail) {
        count++;
        byReason.merge(reason.key(), 1L, Long::sum);
        if (records.size() < RECORD_LIMIT) {
            records.add(new DatasetManifest.SkipRecord(input, location, reason.key(), detail));
        }
    }

    long count() {
        return count;
    }

    long count(SkipReason reason) {
        return byReason.getOrDefault(reason.key(), 0L);
    }

    Map<String, Long> byReason() {
        return byReason;
    }

    DatasetManifest.Skipped toManifest() {
        return new DatasetManifest.Skipped(count, new TreeMap<>(byReason), RECORD_LIMIT, count > records.size(),
                List.copyOf(records));
    }

    /** "empty: 2, binary: 1", or "nothing" when nothing was skipped. */
    String describe() {
        if (byReason.isEmpty()) {
            return "nothing";
        }
        StringBuilder sb = new StringBuilder();
        byReason.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(": ").append(v));
        return sb.toString();
    }
}
