package dev.hearth.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Users' ratings of answers, the raw material for the next round of training. */
public final class FeedbackStore {

    private static final int MAX_COMMENT = 10_000;

    private final Database db;

    FeedbackStore(Database db) {
        this.db = db;
    }

    public void add(Feedback f) {
        if (f == null) {
            throw new StoreException("no feedback given");
        }
        if (f.rating() < -1 || f.rating() > 5) {
            throw new StoreException("a feedback rating must be -1 (flag), 0 or 1 to 5 stars, not " + f.rating());
        }
        if (f.comment() != null && f.comment().length() > MAX_COMMENT) {
            throw new StoreException("the feedback comment is " + f.comment().length()
                    + " characters long; keep it under " + MAX_COMMENT);
        }
        Instant at = f.at() == null ? Instant.now() : f.at();
        db.write("saving feedback", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO feedback "
                    + "(id, request_id, key_id, model, model_version, rating, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, UUID.randomUUID().toString());
                Database.setText(ps, 2, f.requestId());
                Database.setText(ps, 3, f.keyId());
                Database.setText(ps, 4, f.model());
                Database.setText(ps, 5, f.modelVersion());
                ps.setInt(6, f.rating());
                Database.setText(ps, 7, f.comment());
                ps.setString(8, Timestamps.format(at));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The newest {@code limit} feedback entries, newest first; for one model when {@code modelOrNull} is given. */
    public List<Feedback> list(String modelOrNull, int limit) {
        if (limit < 0) {
            throw new StoreException("a limit must be 0 or more, not " + limit);
        }
        return db.read("reading feedback", c -> {
            String where = modelOrNull == null ? "" : " WHERE model = ?";
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, key_id, model, model_version, rating, "
                    + "comment, at FROM feedback" + where + " ORDER BY at DESC, id LIMIT ?")) {
                int i = 1;
                if (modelOrNull != null) {
                    ps.setString(i++, modelOrNull);
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Feedback> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(feedbackOf(rs));
                    }
                    return List.copyOf(out);
                }
            }
        });
    }

    private static Feedback feedbackOf(ResultSet rs) throws SQLException {
        return new Feedback(rs.getString("request_id"), rs.getString("key_id"), rs.getString("model"),
                rs.getString("model_version"), rs.getInt("rating"), rs.getString("comment"),
                Timestamps.parse(rs.getString("at")));
    }
}
