package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server, each test in a fresh schema that is dropped after
 * it. The server comes from {@code HEARTH_TEST_PG_URL} (default: hearth/hearth on localhost's
 * hearth_test database; {@code .ci/run} sets one up). When it cannot be reached the tests are
 * skipped, unless {@code HEARTH_REQUIRE_PG=1}, which makes that a failure.
 */
class PostgresStoreIT extends StoreContract {

    static final String DEFAULT_URL = "jdbc:postgresql://localhost:5432/hearth_test?user=hearth&password=hearth";

    private static String serverUrl;
    private String schema;
    private String url;

    /** Null until the first test asks; then the reason the server cannot be used, or "" when it can. */
    private static String unreachable;

    /**
     * Skips (or, with {@code HEARTH_REQUIRE_PG=1}, fails) the test when the server cannot be reached.
     * Called from the contract's {@code @BeforeEach}, so every test reports the reason it was skipped.
     */
    private static synchronized void requireServer() {
        if (unreachable == null) {
            String fromEnv = System.getenv("HEARTH_TEST_PG_URL");
            serverUrl = fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv.strip();
            try (Connection c = DriverManager.getConnection(serverUrl)) {
                unreachable = c.isValid(5) ? "" : "the connection was not valid";
            } catch (SQLException e) {
                unreachable = String.valueOf(e.getMessage());
            }
        }
        if (unreachable.isEmpty()) {
            return;
        }
        String why = "PostgreSQL is not reachable at " + Store.printable(serverUrl) + " (" + unreachable + ")";
        if ("1".equals(System.getenv("HEARTH_REQUIRE_PG"))) {
            fail(why + ". HEARTH_REQUIRE_PG=1 makes this a failure: start the server (.ci/run does) "
                    + "or point HEARTH_TEST_PG_URL at one.");
        }
        Assumptions.abort(why + ": skipping the PostgreSQL store tests. Run .ci/run, or start PostgreSQL and "
                + "set HEARTH_TEST_PG_URL (and HEARTH_REQUIRE_PG=1 to make a missing server fail the build).");
    }

    @Override
    String jdbcUrl() throws SQLException {
        requireServer();
        if (url == null) {
            byte[] random = new byte[6];
            new SecureRandom().nextBytes(random);
            schema = "hearth_it_" + HexFormat.of().formatHex(random);
            try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }
        return url;
    }

    @Override
    Connection raw() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    @AfterEach
    void dropSchema() throws SQLException {
        closeStore();
        store = null;
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void itIsPostgresAndItsUrlHidesThePassword() {
        assertThat(store.isPostgres()).isTrue();
        assertThat(store.url()).startsWith("jdbc:postgresql://").contains("currentSchema=" + schema)
                .doesNotContain("password");
    }

    @Test
    void aSchemaOfAnotherProgramIsNotTakenOver() throws Exception {
        String foreign = schema + "_other";
        try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + foreign);
            st.execute("CREATE TABLE " + foreign + ".invoices (id INTEGER PRIMARY KEY)");
        }
        try {
            String foreignUrl = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + foreign;
            assertThatThrownBy(() -> Store.open(foreignUrl, null))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("non-empty schema")
                    .hasMessageContaining("currentSchema=NAME")
                    .hasMessageNotContaining("password=");
        } finally {
            try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + foreign + " CASCADE");
            }
        }
    }
}
