package dev.hearth.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The connection pool and the two ways the store talks to it: {@link #write} runs work in one
 * transaction (rolled back on any failure), {@link #read} runs it on an auto-commit connection.
 * Work never borrows a second connection: the SQLite pool has exactly one.
 */
final class Database implements AutoCloseable {

    /** Work done on a borrowed connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;
    private final boolean postgres;
    private final String printableUrl;

    Database(HikariDataSource pool, boolean postgres, String printableUrl) {
        this.pool = pool;
        this.postgres = postgres;
        this.printableUrl = printableUrl;
    }

    boolean postgres() {
        return postgres;
    }

    String printableUrl() {
        return printableUrl;
    }

    /** Runs {@code work} in a transaction; {@code what} names it in error messages ("appending to the audit log"). */
    <T> T write(String what, Work<T> work) {
        try (Connection c = borrow(what)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} without a transaction of its own (each statement commits by itself). */
    <T> T read(String what, Work<T> work) {
        try (Connection c = borrow(what)) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private Connection borrow(String what) throws SQLException {
        if (pool.isClosed()) {
            throw new StoreException("cannot go on " + what + ": the store for " + printableUrl
                    + " is already closed; open it again");
        }
        return pool.getConnection();
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    StoreException failure(String what, SQLException e) {
        return new StoreException("database error " + what + " (" + printableUrl + "): " + e.getMessage()
                + ". Check that the database is reachable and not locked by another program, then try again.", e);
    }

    /** True when {@code e} says a primary key or unique index already holds the value. */
    static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23505".equals(x.getSQLState())) {
                return true; // PostgreSQL unique_violation
            }
            String msg = String.valueOf(x.getMessage());
            if (x.getErrorCode() == 19 && (msg.contains("UNIQUE") || msg.contains("PRIMARYKEY"))) {
                return true; // SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
            }
        }
        return false;
    }

    /** True when {@code e} says a foreign key points nowhere. */
    static boolean isForeignKeyViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23503".equals(x.getSQLState())) {
                return true; // PostgreSQL foreign_key_violation
            }
            if (x.getErrorCode() == 19 && String.valueOf(x.getMessage()).contains("FOREIGN")) {
                return true; // SQLite SQLITE_CONSTRAINT_FOREIGNKEY
            }
        }
        return false;
    }

    static void setText(PreparedStatement ps, int i, String value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, value);
        }
    }

    static void setLong(PreparedStatement ps, int i, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, value);
        }
    }

    static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    @Override
    public void close() {
        pool.close();
    }
}
