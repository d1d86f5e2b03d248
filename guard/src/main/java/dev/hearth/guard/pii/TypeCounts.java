package dev.hearth.guard.pii;

import java.util.EnumMap;
import java.util.Map;

/** How many findings of each type; merged across records, files and threads. */
public final class TypeCounts {
    private final EnumMap<EntityType, Long> counts = new EnumMap<>(EntityType.class);

    public void add(EntityType t) {
        counts.merge(t, 1L, Long::sum);
    }

    public void addAll(TypeCounts o) {
        o.counts.forEach((t, n) -> counts.merge(t, n, Long::sum));
    }

    public long get(EntityType t) {
        return counts.getOrDefault(t, 0L);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Type name to count, in the order of {@link EntityType}. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        counts.forEach((t, n) -> m.put(t.name(), n));
        return m;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
