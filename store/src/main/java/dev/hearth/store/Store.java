package dev.hearth.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Hearth's one database: the model registry, API keys, the audit log, feedback and runs.
 *
 * <p>By default it is the SQLite file {@code hearth.db} in the workspace; a
 * {@code jdbc:postgresql://} URL puts it on a PostgreSQL server that several Hearth servers share.
 * Opening it brings the schema up to date with the Flyway migrations in {@code db/migration}.
 */
public final class Store implements AutoCloseable {

    /** The SQLite file's name inside the workspace. */
    public static final String SQLITE_FILE = "hearth.db";

    private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;
    private static final int POSTGRES_POOL_SIZE = 4;

    private final Database db;
    private final ModelRegistry registry;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final FeedbackStore feedback;
    private final RunStore runs;

    private Store(Database db) {
        this.db = db;
        this.registry = new ModelRegistry(db);
        this.keys = new ApiKeys(db);
        this.audit = new AuditLog(db);
        this.feedback = new FeedbackStore(db);
        this.runs = new RunStore(db);
    }

    /**
     * Opens the store and migrates its schema.
     *
     * @param jdbcUrl null or blank for the SQLite file {@code home/hearth.db} (WAL journal, a busy
     *                timeout, foreign keys on); {@code jdbc:postgresql://host:port/db} for PostgreSQL,
     *                with user and password in the URL or from {@code PGUSER}/{@code PGPASSWORD};
     *                {@code jdbc:sqlite:/path/file.db} for a SQLite file elsewhere
     * @param home    the workspace; needed only for the default SQLite file
     */
    public static Store open(String jdbcUrl, Path home) {
        Connector connector = connectorFor(jdbcUrl, home);
        DataSource raw = connector.dataSource();
        checkReachable(raw, connector);
        migrate(raw, connector);
        HikariConfig config = new HikariConfig();
        config.setDataSource(raw);
        config.setPoolName("hearth-store");
        config.setMaximumPoolSize(connector.postgres() ? POSTGRES_POOL_SIZE : 1);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(30_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open a connection pool to " + connector.printableUrl() + ": "
                    + e.getMessage() + ". Check that the database is reachable, then try again.", e);
        }
        return new Store(new Database(pool, connector.postgres(), connector.printableUrl()));
    }

    /** The database's URL without any password, fit to print. */
    public String url() {
        return db.printableUrl();
    }

    public boolean isPostgres() {
        return db.postgres();
    }

    public ModelRegistry registry() {
        return registry;
    }

    public ApiKeys keys() {
        return keys;
    }

    public AuditLog audit() {
        return audit;
    }

    public FeedbackStore feedback() {
        return feedback;
    }

    public RunStore runs() {
        return runs;
    }

    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return "Store[" + url() + "]";
    }

    // ---------------------------------------------------------------------------------------------

    /** How to reach one database, before any pool exists. */
    private record Connector(DataSource dataSource, boolean postgres, String printableUrl) {
    }

    private static Connector connectorFor(String jdbcUrl, Path home) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            if (home == null) {
                throw new StoreException("no database given: pass a jdbc:postgresql:// URL, or a workspace folder "
                        + "for the SQLite file " + SQLITE_FILE);
            }
            return sqlite(home.resolve(SQLITE_FILE));
        }
        String url = jdbcUrl.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return postgres(url);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            String file = url.substring("jdbc:sqlite:".length());
            if (file.isBlank() || file.startsWith(":memory:") || file.contains("?")) {
                throw new StoreException("unsupported SQLite URL '" + url + "': give a file path, "
                        + "e.g. jdbc:sqlite:/srv/hearth/hearth.db (in-memory databases and URL options are not supported)");
            }
            return sqlite(Path.of(file));
        }
        throw new StoreException("unsupported database URL '" + printable(url) + "': use jdbc:postgresql://host:port/database "
                + "for PostgreSQL, or no URL for the SQLite file " + SQLITE_FILE + " in the workspace");
    }

    private static Connector sqlite(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the folder for the SQLite database " + abs + ": " + e.getMessage()
                    + ". Choose a workspace you can write to (--home or HEARTH_HOME).", e);
        }
        if (Files.isDirectory(abs)) {
            throw new StoreException(abs + " is a folder, not a SQLite database file: move it away or choose another workspace");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        // Every transaction takes the write lock when it begins, so two processes sharing the file
        // wait for each other (busy timeout) instead of failing on a lock upgrade.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        String url = "jdbc:sqlite:" + abs;
        ds.setUrl(url);
        return new Connector(ds, false, url);
    }

    private static Connector postgres(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setUrl(url);
        } catch (RuntimeException e) {
            throw new StoreException("cannot read the PostgreSQL URL '" + printable(url) + "': " + e.getMessage()
                    + ". Write it as jdbc:postgresql://host:port/database?user=NAME&password=SECRET", e);
        }
        if (ds.getUser() == null || ds.getUser().isEmpty()) {
            String user = System.getenv("PGUSER");
            if (user != null && !user.isBlank()) {
                ds.setUser(user);
            }
        }
        if (ds.getPassword() == null || ds.getPassword().isEmpty()) {
            String password = System.getenv("PGPASSWORD");
            if (password != null && !password.isEmpty()) {
                ds.setPassword(password);
            }
        }
        ds.setApplicationName("hearth");
        return new Connector(ds, true, printable(url));
    }

    /** Drops a {@code password=} parameter and any {@code user:password@} from a JDBC URL. */
    static String printable(String url) {
        String withoutUserInfo = url.replaceFirst("//([^/@?]*):[^/@?]*@", "//$1@");
        int q = withoutUserInfo.indexOf('?');
        if (q < 0) {
            return withoutUserInfo;
        }
        String params = Arrays.stream(withoutUserInfo.substring(q + 1).split("&"))
                .filter(p -> !p.toLowerCase(Locale.ROOT).startsWith("password="))
                .collect(Collectors.joining("&"));
        return withoutUserInfo.substring(0, q) + (params.isEmpty() ? "" : "?" + params);
    }

    private static void checkReachable(DataSource raw, Connector connector) {
        try (Connection c = raw.getConnection()) {
            c.getMetaData(); // SQLite reports a file that is not a database only once it is used
            if (!connector.postgres()) {
                try (var st = c.createStatement()) {
                    st.execute("SELECT count(*) FROM sqlite_master");
                }
            }
        } catch (SQLException e) {
            if (connector.postgres()) {
                throw new StoreException("cannot connect to PostgreSQL at " + connector.printableUrl() + ": "
                        + e.getMessage() + ". Check that the server is running and that the host, port, database, "
                        + "user and password are right (user and password may also come from PGUSER and PGPASSWORD).", e);
            }
            throw new StoreException("cannot open the SQLite database " + connector.printableUrl() + ": " + e.getMessage()
                    + ". If that file is not a Hearth database, move it away or choose another workspace.", e);
        }
    }

    private static void migrate(DataSource raw, Connector connector) {
        Flyway flyway = Flyway.configure(Store.class.getClassLoader())
                .dataSource(raw)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load();
        try {
            MigrationInfoService info = flyway.info();
            MigrationVersion known = Arrays.stream(info.all())
                    .filter(m -> m.getState().isResolved() && m.getVersion() != null)
                    .map(MigrationInfo::getVersion)
                    .max(MigrationVersion::compareTo)
                    .orElse(MigrationVersion.EMPTY);
            MigrationInfo current = info.current();
            if (current != null && current.getVersion() != null && current.getVersion().compareTo(known) > 0) {
                throw new StoreException("the database at " + connector.printableUrl() + " has schema version "
                        + current.getVersion() + ", newer than this Hearth knows (" + known
                        + "): it was upgraded by a newer Hearth. Run that newer Hearth, or use another database.");
            }
            flyway.migrate();
        } catch (FlywayException e) {
            String hint = String.valueOf(e.getMessage()).contains("non-empty schema")
                    ? (connector.postgres()
                    ? " Give Hearth an empty database, or a schema of its own: add currentSchema=NAME to the URL "
                    + "after CREATE SCHEMA NAME."
                    : " That file holds another program's tables; give Hearth a file of its own.")
                    : "";
            throw new StoreException("cannot bring the database at " + connector.printableUrl()
                    + " up to date: " + e.getMessage() + hint, e);
        }
    }
}
