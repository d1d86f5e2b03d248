package dev.hearth.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The audit log: every API call, in a hash chain. Entry {@code n} stores
 * {@code hash = SHA-256(prevHash + canonical(n, record))} where {@code prevHash} is entry
 * {@code n-1}'s hash (64 zeros for entry 1), so changing, removing or moving a row breaks the chain
 * where it happened. A one-row head table holding the newest seq and hash is updated in the same
 * transaction as each append; it serialises appends from several servers and shows a deleted tail.
 *
 * <p>The canonical form is the fields seq, at (UTC, nine fractional digits), keyId, role, method,
 * endpoint, model, modelVersion, promptTokens, completionTokens, status, latencyMs, error, prompt,
 * requestId in that order, each written as {@code ~} when null or as
 * {@code <UTF-8 byte length>:<text>} otherwise, with nothing between them; then endUser in the
 * second form when it is not null (it came with the second migration, so rows written before it
 * keep their hashes).
 */
public final class AuditLog {

    static final String GENESIS = Sha256.ZEROS;
    private static final int PAGE = 1_000;
    private static final int MAX_PAIRWISE = 2_000;
    private static final String COLUMNS = "seq, at, key_id, role, method, endpoint, model, model_version, prompt_tokens, "
            + "completion_tokens, status, latency_ms, error, prompt, request_id, end_user, prev_hash, hash";

    private final Database db;

    AuditLog(Database db) {
        this.db = db;
    }

    /**
     * Appends a record as the next entry. A null {@code at} is taken as now; NUL characters, which
     * PostgreSQL cannot store, become U+FFFD.
     */
    public AuditEntry append(AuditRecord r) {
        return appendAll(Collections.singletonList(r)).getFirst();
    }

    /**
     * Appends records as the next entries, in their order and in one transaction: all of them or,
     * on any failure, none. A server writes the records of requests that end together this way
     * (group commit), at the cost of about one append.
     */
    public List<AuditEntry> appendAll(List<AuditRecord> records) {
        List<AuditRecord> recs = new ArrayList<>(records.size());
        for (AuditRecord r : records) {
            if (r == null || r.method() == null || r.endpoint() == null) {
                throw new StoreException("an audit record needs at least a method and an endpoint, got " + r);
            }
            recs.add(clean(r));
        }
        if (recs.isEmpty()) {
            return List.of();
        }
        return db.write("appending to the audit log", c -> {
            // Taking the head row first locks it (PostgreSQL row lock, SQLite write lock), so
            // concurrent appends from any number of servers queue here and get consecutive seqs.
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET seq = seq + ? WHERE id = 1")) {
                ps.setLong(1, recs.size());
                if (ps.executeUpdate() != 1) {
                    throw missingHead();
                }
            }
            long seq;
            String prevHash;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1) - recs.size();
                prevHash = rs.getString(2);
            }
            List<AuditEntry> entries = new ArrayList<>(recs.size());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditRecord rec : recs) {
                    seq++;
                    String hash = hashOf(prevHash, seq, rec);
                    ps.setLong(1, seq);
                    ps.setString(2, Timestamps.format(rec.at()));
                    Database.setText(ps, 3, rec.keyId());
                    Database.setText(ps, 4, rec.role());
                    ps.setString(5, rec.method());
                    ps.setString(6, rec.endpoint());
                    Database.setText(ps, 7, rec.model());
                    Database.setText(ps, 8, rec.modelVersion());
                    ps.setInt(9, rec.promptTokens());
                    ps.setInt(10, rec.completionTokens());
                    ps.setInt(11, rec.status());
                    ps.setLong(12, rec.latencyMs());
                    Database.setText(ps, 13, rec.error());
                    Database.setText(ps, 14, rec.prompt());
                    Database.setText(ps, 15, rec.requestId());
                    Database.setText(ps, 16, rec.endUser());
                    ps.setString(17, prevHash);
                    ps.setString(18, hash);
                    ps.executeUpdate();
                    entries.add(new AuditEntry(seq, rec, prevHash, hash));
                    prevHash = hash;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET hash = ? WHERE id = 1")) {
                ps.setString(1, prevHash);
                ps.executeUpdate();
            }
            return List.copyOf(entries);
        });
    }

    /** Up to {@code limit} entries with seq above {@code afterSeq}, in seq order. */
    public List<AuditEntry> read(long afterSeq, int limit) {
        checkLimit(limit);
        return db.read("reading the audit log", c -> page(c, afterSeq, Long.MAX_VALUE, limit));
    }

    /** The newest {@code limit} entries, oldest of them first. */
    public List<AuditEntry> tail(int limit) {
        checkLimit(limit);
        return db.read("reading the audit log", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM audit_log ORDER BY seq DESC LIMIT ?")) {
                ps.setInt(1, limit);
                List<AuditEntry> entries = entries(ps);
                Collections.reverse(entries);
                return List.copyOf(entries);
            }
        });
    }

    /** The rows of one request id, in seq order (usually one). */
    public List<AuditEntry> byRequestId(String requestId) {
        return db.read("reading the audit log", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM audit_log WHERE request_id = ? ORDER BY seq")) {
                ps.setString(1, requestId);
                return List.copyOf(entries(ps));
            }
        });
    }

    /**
     * Walks the whole chain in seq order and reports each problem at the row where it is: an edited
     * row (its hash no longer matches its content), a deleted row (a gap in seq), a row rewritten
     * together with its hash (the next row no longer links to it; reported as edited), rows swapped
     * or moved (reordered), rows past the head (inserted), and a deleted tail (truncated).
     */
    public AuditVerification verify() {
        Head head = db.read("reading the audit log's head", this::head);
        List<AuditProblem> problems = new ArrayList<>();
        List<AuditEntry> mismatched = new ArrayList<>();
        long checked = 0;
        long prevSeq = 0;
        String prevHash = GENESIS;
        boolean prevMismatched = false;
        while (true) {
            long after = prevSeq;
            List<AuditEntry> page = db.read("reading the audit log", c -> page(c, after, head.seq(), PAGE));
            if (page.isEmpty()) {
                break;
            }
            for (AuditEntry e : page) {
                checked++;
                boolean gap = e.seq() != prevSeq + 1;
                if (gap) {
                    problems.add(new AuditProblem(prevSeq + 1, AuditProblem.DELETED, prevSeq + 1 == e.seq() - 1
                            ? "row " + (prevSeq + 1) + " is missing"
                            : "rows " + (prevSeq + 1) + " to " + (e.seq() - 1) + " are missing"));
                }
                boolean intact = hashOf(e.prevHash(), e.seq(), e.record()).equals(e.hash());
                if (!intact) {
                    mismatched.add(e);
                } else if (!gap && !prevMismatched && !e.prevHash().equals(prevHash)) {
                    long at = prevSeq == 0 ? e.seq() : prevSeq;
                    problems.add(new AuditProblem(at, AuditProblem.EDITED, prevSeq == 0
                            ? "row 1 does not start from the genesis hash: it was rewritten"
                            : "row " + e.seq() + " no longer links to row " + prevSeq
                            + ": row " + prevSeq + " was rewritten together with its hash, or replaced"));
                }
                prevSeq = e.seq();
                prevHash = e.hash();
                prevMismatched = !intact;
            }
        }
        classify(mismatched, problems);
        if (prevSeq < head.seq()) {
            problems.add(new AuditProblem(prevSeq + 1, AuditProblem.TRUNCATED, (prevSeq + 1 == head.seq()
                    ? "row " + head.seq() + " is missing"
                    : "rows " + (prevSeq + 1) + " to " + head.seq() + " are missing")
                    + " at the end: the head records " + head.seq() + " rows"));
        } else if (head.seq() > 0 && !prevMismatched && !prevHash.equals(head.hash())) {
            problems.add(new AuditProblem(head.seq(), AuditProblem.EDITED, "row " + head.seq()
                    + " does not match the hash the head records for it: it was rewritten together with its hash"));
        }
        // Rows past the head did not come through append(); look past the head as it is now, so
        // that entries appended while this walk ran are not mistaken for them.
        Head now = db.read("reading the audit log's head", this::head);
        List<Long> beyond = db.read("reading the audit log", c -> seqsAfter(c, now.seq()));
        for (long seq : beyond) {
            checked++;
            problems.add(new AuditProblem(seq, AuditProblem.INSERTED, "row " + seq
                    + " lies past the head (" + now.seq() + " rows): it was added without going through the log"));
        }
        problems.sort(Comparator.comparingLong(AuditProblem::seq));
        return new AuditVerification(checked, problems);
    }

    /** Names each row whose hash does not match its content: moved from another seq, or edited. */
    private static void classify(List<AuditEntry> mismatched, List<AuditProblem> problems) {
        boolean pairwise = mismatched.size() <= MAX_PAIRWISE;
        for (AuditEntry a : mismatched) {
            Long writtenAs = null;
            if (pairwise) {
                for (AuditEntry b : mismatched) {
                    if (b == a) {
                        continue;
                    }
                    // a holds the whole entry (prevHash and hash too) that was written as seq b.seq
                    // or a holds only the content of the entry written as b.seq
                    if (hashOf(a.prevHash(), b.seq(), a.record()).equals(a.hash())
                            || hashOf(b.prevHash(), b.seq(), a.record()).equals(b.hash())) {
                        writtenAs = b.seq();
                        break;
                    }
                }
            }
            if (writtenAs != null) {
                problems.add(new AuditProblem(a.seq(), AuditProblem.REORDERED, "row " + a.seq()
                        + " holds the entry written as row " + writtenAs + ": rows were swapped or moved"));
            } else {
                problems.add(new AuditProblem(a.seq(), AuditProblem.EDITED, "row " + a.seq()
                        + " no longer matches its hash: a field was changed after it was written"));
            }
        }
    }

    /** SHA-256 hex of {@code prevHash} followed by the canonical form of seq and every field. */
    static String hashOf(String prevHash, long seq, AuditRecord r) {
        StringBuilder sb = new StringBuilder(256).append(prevHash);
        field(sb, Long.toString(seq));
        field(sb, Timestamps.format(r.at()));
        field(sb, r.keyId());
        field(sb, r.role());
        field(sb, r.method());
        field(sb, r.endpoint());
        field(sb, r.model());
        field(sb, r.modelVersion());
        field(sb, Integer.toString(r.promptTokens()));
        field(sb, Integer.toString(r.completionTokens()));
        field(sb, Integer.toString(r.status()));
        field(sb, Long.toString(r.latencyMs()));
        field(sb, r.error());
        field(sb, r.prompt());
        field(sb, r.requestId());
        if (r.endUser() != null) {
            field(sb, r.endUser());
        }
        return Sha256.hex(sb.toString());
    }

    private static void field(StringBuilder sb, String value) {
        if (value == null) {
            sb.append('~');
        } else {
            sb.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value);
        }
    }

    private static AuditRecord clean(AuditRecord r) {
        return new AuditRecord(r.at() == null ? Instant.now() : r.at(), clean(r.keyId()), clean(r.role()),
                clean(r.method()), clean(r.endpoint()), clean(r.model()), clean(r.modelVersion()),
                r.promptTokens(), r.completionTokens(), r.status(), r.latencyMs(), clean(r.error()),
                clean(r.prompt()), clean(r.requestId()), clean(r.endUser()));
    }

    private static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private record Head(long seq, String hash) {
    }

    private Head head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw missingHead();
            }
            return new Head(rs.getLong(1), rs.getString(2));
        }
    }

    private static StoreException missingHead() {
        return new StoreException("the audit log's head row (table audit_head) is missing: the database was "
                + "tampered with. Restore it from a backup; the audit chain cannot be trusted without it.");
    }

    private static List<AuditEntry> page(Connection c, long afterSeq, long upToSeq, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, afterSeq);
            ps.setLong(2, upToSeq);
            ps.setInt(3, limit);
            return List.copyOf(entries(ps));
        }
    }

    private static List<Long> seqsAfter(Connection c, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_log WHERE seq > ? ORDER BY seq")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                List<Long> seqs = new ArrayList<>();
                while (rs.next()) {
                    seqs.add(rs.getLong(1));
                }
                return seqs;
            }
        }
    }

    private static List<AuditEntry> entries(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<AuditEntry> entries = new ArrayList<>();
            while (rs.next()) {
                AuditRecord r = new AuditRecord(
                        instantOrNull(rs.getString("at")),
                        rs.getString("key_id"),
                        rs.getString("role"),
                        rs.getString("method"),
                        rs.getString("endpoint"),
                        rs.getString("model"),
                        rs.getString("model_version"),
                        rs.getInt("prompt_tokens"),
                        rs.getInt("completion_tokens"),
                        rs.getInt("status"),
                        rs.getLong("latency_ms"),
                        rs.getString("error"),
                        rs.getString("prompt"),
                        rs.getString("request_id"),
                        rs.getString("end_user"));
                entries.add(new AuditEntry(rs.getLong("seq"), r, rs.getString("prev_hash"), rs.getString("hash")));
            }
            return entries;
        }
    }

    /** A timestamp someone overwrote with text that is not one reads as null; verify then reports the row. */
    private static Instant instantOrNull(String text) {
        try {
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw new StoreException("a limit must be 0 or more, not " + limit);
        }
    }
}
