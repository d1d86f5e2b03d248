package dev.hearth.store;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * API keys and their daily token use. A key's secret is {@code hk-<id>-<40 random base62 chars>};
 * only its SHA-256 is stored, and a presented secret is found by that hash. A plain SHA-256 is
 * enough because the secret is random with 238 bits of entropy, not a password a person chose.
 */
public final class ApiKeys {

    static final String SECRET_PREFIX = "hk-";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final int ID_LENGTH = 12;
    private static final int SECRET_LENGTH = 40;
    private static final int MAX_NAME_LENGTH = 200;
    private static final String COLUMNS = "id, name, role, rate, tokens_per_day, created_at, revoked_at";

    private final Database db;
    private final SecureRandom random = new SecureRandom();

    ApiKeys(Database db) {
        this.db = db;
    }

    /**
     * Creates a key. The returned secret is the only copy: show it to the user once.
     *
     * @param name         a label for people, or null
     * @param rate         requests allowed, or null for no limit
     * @param tokensPerDay tokens allowed per UTC day, or null for no quota
     */
    public CreatedKey create(Role role, String name, RateLimit rate, Long tokensPerDay) {
        if (role == null) {
            throw new StoreException("a new API key needs a role: one of user, admin, auditor");
        }
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw new StoreException("API key name is " + name.length() + " characters long; keep it under "
                    + MAX_NAME_LENGTH);
        }
        if (tokensPerDay != null && tokensPerDay < 0) {
            throw new StoreException("tokens per day must be zero or more, not " + tokensPerDay
                    + " (leave it out for no quota)");
        }
        Instant now = Instant.now();
        // 36^12 ids: a collision is too unlikely to plan for; the primary key would refuse it.
        String id = randomText(ID_CHARS, ID_LENGTH);
        String secret = SECRET_PREFIX + id + "-" + randomText(BASE62, SECRET_LENGTH);
        return db.write("creating an API key", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (" + COLUMNS
                    + ", secret_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                Database.setText(ps, 2, name);
                ps.setString(3, role.name());
                Database.setText(ps, 4, rate == null ? null : rate.toString());
                Database.setLong(ps, 5, tokensPerDay);
                ps.setString(6, Timestamps.format(now));
                Database.setText(ps, 7, null);
                ps.setString(8, Sha256.hex(secret));
                ps.executeUpdate();
            }
            return new CreatedKey(new ApiKey(id, name, role, rate, tokensPerDay, now, null), secret);
        });
    }

    /**
     * The key whose secret this is, revoked or not (the caller reports a revoked key as such), or
     * empty when no key has this secret.
     */
    public Optional<ApiKey> authenticate(String presentedSecret) {
        if (presentedSecret == null || !presentedSecret.startsWith(SECRET_PREFIX)) {
            return Optional.empty();
        }
        String hash = Sha256.hex(presentedSecret.strip());
        return db.read("looking up an API key", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM api_keys WHERE secret_sha256 = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(keyOf(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Every key, revoked ones included, oldest first. */
    public List<ApiKey> list() {
        return db.read("listing API keys", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                List<ApiKey> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(keyOf(rs));
                }
                return List.copyOf(keys);
            }
        });
    }

    /** Revokes a key; revoking a revoked key changes nothing and returns it as it is. */
    public ApiKey revoke(String id) {
        return db.write("revoking API key " + id, c -> {
            ApiKey key = find(c, id);
            if (key.revoked()) {
                return key;
            }
            Instant now = Instant.now();
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setString(1, Timestamps.format(now));
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return find(c, id);
        });
    }

    /** Tokens the key used on the given UTC day (0 when none). */
    public long tokensUsed(String keyId, LocalDate dayUtc) {
        return db.read("reading token use of API key " + keyId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT tokens FROM api_key_usage WHERE key_id = ? AND day = ?")) {
                ps.setString(1, keyId);
                ps.setString(2, dayUtc.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Adds to the key's tokens for the day, atomically (an upsert), so several servers may count at once. */
    public void addTokens(String keyId, LocalDate dayUtc, long tokens) {
        addTokens(List.of(new TokenCount(keyId, dayUtc, tokens)));
    }

    /** Tokens to add to a key's count for a UTC day (negative to give back what was reserved and not used). */
    public record TokenCount(String keyId, LocalDate dayUtc, long tokens) {}

    /** {@link #addTokens(String, LocalDate, long)} for several counts in one transaction: all of them or none. */
    public void addTokens(List<TokenCount> counts) {
        if (counts.isEmpty()) {
            return;
        }
        String what = counts.size() == 1 ? "counting tokens for API key " + counts.getFirst().keyId()
                : "counting tokens for " + counts.size() + " requests";
        db.write(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_key_usage (key_id, day, tokens) VALUES (?, ?, ?) "
                            + "ON CONFLICT (key_id, day) DO UPDATE SET tokens = api_key_usage.tokens + excluded.tokens")) {
                for (TokenCount t : counts) {
                    ps.setString(1, t.keyId());
                    ps.setString(2, t.dayUtc().toString());
                    ps.setLong(3, t.tokens());
                    try {
                        ps.executeUpdate();
                    } catch (SQLException e) {
                        if (Database.isForeignKeyViolation(e)) {
                            throw unknownKey(t.keyId());
                        }
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /**
     * Takes {@code tokens} from the key's quota for the day if they fit within {@code quota},
     * atomically (safe with several servers on one database); returns false, taking nothing, if
     * they do not. {@link #addTokens} with a negative count gives back what was not used.
     */
    public boolean reserveTokens(String keyId, LocalDate dayUtc, long tokens, long quota) {
        if (tokens < 0) {
            throw new StoreException("cannot reserve " + tokens + " tokens: the count must be zero or more");
        }
        return db.write("reserving tokens for API key " + keyId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_key_usage (key_id, day, tokens) VALUES (?, ?, 0) ON CONFLICT (key_id, day) DO NOTHING")) {
                ps.setString(1, keyId);
                ps.setString(2, dayUtc.toString());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isForeignKeyViolation(e)) {
                    throw unknownKey(keyId);
                }
                throw e;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_key_usage SET tokens = tokens + ? WHERE key_id = ? AND day = ? AND tokens + ? <= ?")) {
                ps.setLong(1, tokens);
                ps.setString(2, keyId);
                ps.setString(3, dayUtc.toString());
                ps.setLong(4, tokens);
                ps.setLong(5, quota);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private ApiKey find(java.sql.Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw unknownKey(id);
                }
                return keyOf(rs);
            }
        }
    }

    private static StoreException unknownKey(String id) {
        return new NotFoundException("unknown API key '" + id + "': list the keys to see their ids");
    }

    private static ApiKey keyOf(ResultSet rs) throws SQLException {
        String rate = rs.getString("rate");
        return new ApiKey(
                rs.getString("id"),
                rs.getString("name"),
                Role.valueOf(rs.getString("role")),
                rate == null ? null : RateLimit.parse(rate),
                Database.longOrNull(rs, "tokens_per_day"),
                Timestamps.parse(rs.getString("created_at")),
                Timestamps.parse(rs.getString("revoked_at")));
    }

    private String randomText(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
