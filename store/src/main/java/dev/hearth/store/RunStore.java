package dev.hearth.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Runs and their metrics, so that runs can be listed and compared without reading their folders. */
public final class RunStore {

    private static final String COLUMNS = "id, kind, status, started_at, ended_at, dir, config_json";

    private final Database db;

    RunStore(Database db) {
        this.db = db;
    }

    /** Records a run that starts; a run with the same id (a resumed run) is replaced, its metrics kept. */
    public void start(RunRecord r) {
        if (r == null || r.id() == null || r.id().isBlank() || r.kind() == null || r.status() == null
                || r.startedAt() == null) {
            throw new StoreException("a run needs an id, a kind, a status and a start time, got " + r);
        }
        db.write("recording run " + r.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO runs (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
                    + "status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at, "
                    + "dir = excluded.dir, config_json = excluded.config_json")) {
                ps.setString(1, r.id());
                ps.setString(2, r.kind());
                ps.setString(3, r.status());
                ps.setString(4, Timestamps.format(r.startedAt()));
                Database.setText(ps, 5, Timestamps.format(r.endedAt()));
                Database.setText(ps, 6, r.dir());
                Database.setText(ps, 7, r.configJson());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Records how a run ended. */
    public void finish(String id, String status, Instant endedAt) {
        if (status == null) {
            throw new StoreException("finishing run " + id + " needs a status (done, failed, ...)");
        }
        db.write("finishing run " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET status = ?, ended_at = ? WHERE id = ?")) {
                ps.setString(1, status);
                Database.setText(ps, 2, Timestamps.format(endedAt == null ? Instant.now() : endedAt));
                ps.setString(3, id);
                if (ps.executeUpdate() == 0) {
                    throw new StoreException("unknown run '" + id + "': start it before finishing it");
                }
            }
            return null;
        });
    }

    /**
     * Adds metric points in one transaction. A point for a step already recorded (a resumed run
     * logging a step again) replaces it.
     */
    public void addMetrics(List<MetricPoint> points) {
        if (points == null || points.isEmpty()) {
            return;
        }
        for (MetricPoint p : points) {
            if (p == null || p.runId() == null || p.name() == null) {
                throw new StoreException("a metric point needs a run id and a name, got " + p);
            }
        }
        db.write("saving metrics of run " + points.getFirst().runId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_metrics (run_id, name, step, value, at) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value, "
                    + "at = excluded.at")) {
                for (MetricPoint p : points) {
                    ps.setString(1, p.runId());
                    ps.setString(2, p.name());
                    ps.setLong(3, p.step());
                    if (Double.isNaN(p.value())) {
                        ps.setNull(4, Types.DOUBLE); // SQLite cannot store NaN; NULL reads back as NaN
                    } else {
                        ps.setDouble(4, p.value());
                    }
                    ps.setString(5, Timestamps.format(p.at() == null ? Instant.now() : p.at()));
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (SQLException e) {
                if (Database.isForeignKeyViolation(e)) {
                    throw new StoreException("metrics name a run that was never started ("
                            + points.stream().map(MetricPoint::runId).distinct().toList()
                            + "): start the run before adding its metrics", e);
                }
                throw e;
            }
            return null;
        });
    }

    /** The newest {@code limit} runs by start time, newest first. */
    public List<RunRecord> list(int limit) {
        if (limit < 0) {
            throw new StoreException("a limit must be 0 or more, not " + limit);
        }
        return db.read("listing runs", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM runs ORDER BY started_at DESC, id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<RunRecord> runs = new ArrayList<>();
                    while (rs.next()) {
                        runs.add(new RunRecord(rs.getString("id"), rs.getString("kind"), rs.getString("status"),
                                Timestamps.parse(rs.getString("started_at")), Timestamps.parse(rs.getString("ended_at")),
                                rs.getString("dir"), rs.getString("config_json")));
                    }
                    return List.copyOf(runs);
                }
            }
        });
    }

    /** A run's metric points ordered by name then step; only one metric's when {@code nameOrNull} is given. */
    public List<MetricPoint> metrics(String runId, String nameOrNull) {
        return db.read("reading metrics of run " + runId, c -> {
            String where = nameOrNull == null ? "" : " AND name = ?";
            try (PreparedStatement ps = c.prepareStatement("SELECT run_id, name, step, value, at FROM run_metrics "
                    + "WHERE run_id = ?" + where + " ORDER BY name, step")) {
                ps.setString(1, runId);
                if (nameOrNull != null) {
                    ps.setString(2, nameOrNull);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<MetricPoint> points = new ArrayList<>();
                    while (rs.next()) {
                        double value = rs.getDouble("value");
                        if (rs.wasNull()) {
                            value = Double.NaN;
                        }
                        points.add(new MetricPoint(rs.getString("run_id"), rs.getLong("step"), rs.getString("name"),
                                value, Timestamps.parse(rs.getString("at"))));
                    }
                    return List.copyOf(points);
                }
            }
        });
    }
}
