package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The store contract on the default SQLite file, {@code hearth.db} in the workspace. */
class SqliteStoreTest extends StoreContract {

    @Override
    String jdbcUrl() {
        return null;
    }

    @Override
    Connection raw() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + home.resolve(Store.SQLITE_FILE));
    }

    @Test
    void theDefaultIsAWalJournaledFileInTheWorkspace() throws Exception {
        assertThat(store.isPostgres()).isFalse();
        assertThat(store.url()).isEqualTo("jdbc:sqlite:" + home.toAbsolutePath().resolve("hearth.db"));
        assertThat(home.resolve("hearth.db")).isRegularFile();
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void anExplicitSqliteUrlWorksToo() throws Exception {
        var other = home.resolve("elsewhere/other.db");
        try (Store s = Store.open("jdbc:sqlite:" + other, null)) {
            s.keys().create(Role.USER, "x", null, null);
            assertThat(s.keys().list()).hasSize(1);
        }
        assertThat(other).isRegularFile();
    }

    @Test
    void aFileThatIsNotADatabaseIsReported() throws Exception {
        var junk = home.resolve("junk");
        Files.createDirectories(junk);
        Files.writeString(junk.resolve("hearth.db"), "this is not a database, just some text that is long enough ".repeat(20));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Store.open(null, junk))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the SQLite database")
                .hasMessageContaining("move it away");
    }

    @Test
    void aDatabaseOfAnotherProgramIsNotTakenOver() throws Exception {
        var other = home.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Store.open("jdbc:sqlite:" + other, null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("non-empty schema")
                .hasMessageContaining("a file of its own");
    }
}
