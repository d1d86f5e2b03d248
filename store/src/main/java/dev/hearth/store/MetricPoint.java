package dev.hearth.store;

import java.time.Instant;

/** One value of one metric at one step of a run ({@code loss} 2.31 at step 400). NaN is kept as NaN. */
public record MetricPoint(String runId, long step, String name, double value, Instant at) {
}
