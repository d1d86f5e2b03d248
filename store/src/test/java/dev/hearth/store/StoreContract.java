package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store must do, whatever database holds it. {@link SqliteStoreTest} runs it on a SQLite
 * file, {@code PostgresStoreIT} on a PostgreSQL server.
 */
abstract class StoreContract {

    @TempDir
    Path home;

    Store store;

    /** The URL to open, or null for the default SQLite file in {@link #home}. Called before each test. */
    abstract String jdbcUrl() throws Exception;

    /** A plain JDBC connection to the same database, for tampering behind the store's back. */
    abstract Connection raw() throws SQLException;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(jdbcUrl(), home);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    Store reopen() throws Exception {
        store.close();
        store = Store.open(jdbcUrl(), home);
        return store;
    }

    void sql(String statement) throws SQLException {
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Opening ----------------------------------------------------------------------------------------

    @Test
    void reopeningKeepsTheDataAndDoesNotMigrateAgain() throws Exception {
        store.keys().create(Role.ADMIN, "ops", null, null);
        reopen();
        assertThat(store.keys().list()).extracting(ApiKey::name).containsExactly("ops");
    }

    @Test
    void refusesADatabaseWrittenByANewerHearth() throws Exception {
        sql("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                + "installed_by, installed_on, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', "
                + "'V99__from_the_future.sql', 0, 'test', CURRENT_TIMESTAMP, 0, TRUE)");
        store.close();
        store = null;
        assertThatThrownBy(() -> Store.open(jdbcUrl(), home))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer Hearth");
    }

    @Test
    void refusesUnsupportedUrls() {
        assertThatThrownBy(() -> Store.open("jdbc:mysql://localhost/hearth?password=hunter2", home))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unsupported database URL")
                .hasMessageContaining("jdbc:postgresql://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Store.open("jdbc:sqlite::memory:", home))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unsupported SQLite URL");
    }

    @Test
    void reportsAnUnreachableServerWithoutItsPassword() {
        assertThatThrownBy(() -> Store.open(
                "jdbc:postgresql://127.0.0.1:1/hearth?user=nobody&password=hunter2&connectTimeout=5", home))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/hearth")
                .hasMessageContaining("Check that the server is running")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void printableUrlDropsThePassword() {
        assertThat(Store.printable("jdbc:postgresql://db:5432/h?user=u&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/h?user=u&ssl=true");
        assertThat(Store.printable("jdbc:postgresql://u:secret@db/h")).isEqualTo("jdbc:postgresql://u@db/h");
        assertThat(store.url()).doesNotContainIgnoringCase("password");
    }

    @Test
    void aClosedStoreSaysSo() {
        store.close();
        assertThatThrownBy(() -> store.keys().list())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("already closed");
        store = null;
    }

    // Registry ---------------------------------------------------------------------------------------

    Path modelFolder(String weights) throws Exception {
        Path src = Files.createTempDirectory(home, "src-");
        Files.writeString(src.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 2}");
        Files.writeString(src.resolve("model.safetensors"), weights);
        Files.createDirectories(src.resolve("tokenizer"));
        Files.writeString(src.resolve("tokenizer/vocab.json"), "{\"a\": 0}");
        return src;
    }

    Path models() {
        return home.resolve("models");
    }

    @Test
    void registerCopiesHashesAndMakesTheCopiesReadOnly() throws Exception {
        Path src = modelFolder("weights-1");
        ModelVersion v = store.registry().register("tiny", src, models());

        assertThat(v.name()).isEqualTo("tiny");
        assertThat(v.version()).isEqualTo(1);
        assertThat(v.ref()).isEqualTo("tiny:1");
        assertThat(v.dir()).isEqualTo(models().toAbsolutePath().resolve("tiny/1"));
        assertThat(v.source()).isEqualTo(src.toRealPath().toString());
        assertThat(v.files()).containsOnlyKeys("config.json", "model.safetensors", "tokenizer/vocab.json");
        assertThat(v.files().get("model.safetensors")).isEqualTo(Sha256.hex("weights-1"));
        assertThat(v.bytes()).isEqualTo(Files.size(src.resolve("config.json")) + "weights-1".length()
                + Files.size(src.resolve("tokenizer/vocab.json")));
        StringBuilder manifest = new StringBuilder();
        v.files().forEach((path, sha) -> manifest.append(sha).append("  ").append(path).append('\n'));
        assertThat(v.sha256()).isEqualTo(Sha256.hex(manifest.toString()));

        for (String rel : v.files().keySet()) {
            Path copy = v.dir().resolve(rel);
            assertThat(Files.readString(copy)).isEqualTo(Files.readString(src.resolve(rel)));
            assertThat(Files.getPosixFilePermissions(copy)).doesNotContain(PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        }
        try (var leftovers = Files.list(models().resolve("tiny"))) {
            assertThat(leftovers).extracting(p -> p.getFileName().toString()).containsExactly("1");
        }
        assertThat(store.registry().aliases("tiny")).isEqualTo(Map.of(ModelRegistry.CHAMPION, 1));
        assertThat(store.registry().version("tiny", 1)).contains(v);
    }

    @Test
    void laterVersionsCountUpAndLeaveTheChampionWhereItIs() throws Exception {
        ModelVersion v1 = store.registry().register("tiny", modelFolder("a"), models());
        ModelVersion v2 = store.registry().register("tiny", modelFolder("b"), models());
        store.registry().register("other", modelFolder("c"), models());

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.sha256()).isNotEqualTo(v1.sha256());
        assertThat(store.registry().names()).containsExactly("other", "tiny");
        assertThat(store.registry().versions("tiny")).containsExactly(v1, v2);
        assertThat(store.registry().versions("nothing")).isEmpty();
        assertThat(store.registry().version("tiny", 3)).isEmpty();
        assertThat(store.registry().aliases("tiny")).isEqualTo(Map.of("champion", 1));
        assertThat(store.registry().aliases("nothing")).isEmpty();
    }

    @Test
    void aliasesMoveAndTheChampionRollsBackOneMoveAtATime() throws Exception {
        for (String w : List.of("a", "b", "c")) {
            store.registry().register("tiny", modelFolder(w), models());
        }
        ModelRegistry reg = store.registry();
        reg.setAlias("tiny", "champion", 2);
        reg.setAlias("tiny", "champion", 2); // not a move: nothing to roll back to
        reg.setAlias("tiny", "champion", 3);
        reg.setAlias("tiny", "staging", 1);
        reg.setAlias("tiny", "staging", 2);
        assertThat(reg.aliases("tiny")).containsExactly(Map.entry("champion", 3), Map.entry("staging", 2));

        assertThat(reg.rollback("tiny").version()).isEqualTo(2);
        assertThat(reg.resolve("tiny").version()).isEqualTo(2);
        assertThat(reg.rollback("tiny").version()).isEqualTo(1);
        assertThatThrownBy(() -> reg.rollback("tiny"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no earlier champion");
        assertThat(reg.resolve("tiny").version()).isEqualTo(1);
        assertThat(reg.resolve("tiny@staging").version()).isEqualTo(2); // other aliases untouched

        reg.setAlias("tiny", "champion", 3); // history starts again after the rollbacks
        assertThat(reg.rollback("tiny").version()).isEqualTo(1);
    }

    @Test
    void setAliasNamesWhatIsUnknown() throws Exception {
        store.registry().register("tiny", modelFolder("a"), models());
        assertThatThrownBy(() -> store.registry().setAlias("tiny", "champion", 7))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("model tiny has no version 7")
                .hasMessageContaining("its versions are 1");
        assertThatThrownBy(() -> store.registry().setAlias("huge", "champion", 1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown model 'huge'")
                .hasMessageContaining("tiny");
        assertThatThrownBy(() -> store.registry().setAlias("tiny", "Bad Alias", 1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("bad alias 'Bad Alias'");
        assertThatThrownBy(() -> store.registry().rollback("huge"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown model 'huge'");
    }

    @Test
    void resolveReadsChampionAliasAndVersion() throws Exception {
        store.registry().register("tiny", modelFolder("a"), models());
        store.registry().register("tiny", modelFolder("b"), models());
        store.registry().setAlias("tiny", "canary", 2);

        assertThat(store.registry().resolve("tiny").ref()).isEqualTo("tiny:1");
        assertThat(store.registry().resolve("tiny@champion").ref()).isEqualTo("tiny:1");
        assertThat(store.registry().resolve("tiny@canary").ref()).isEqualTo("tiny:2");
        assertThat(store.registry().resolve("tiny:2").ref()).isEqualTo("tiny:2");

        assertThatThrownBy(() -> store.registry().resolve("huge"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown model 'huge'")
                .hasMessageContaining("known models are tiny");
        assertThatThrownBy(() -> store.registry().resolve("tiny@prod"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no alias 'prod'")
                .hasMessageContaining("canary (version 2)");
        assertThatThrownBy(() -> store.registry().resolve("tiny:9"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no version 9")
                .hasMessageContaining("1 to 2");
        assertThatThrownBy(() -> store.registry().resolve("tiny:latest"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("version number");
        assertThatThrownBy(() -> store.registry().resolve(" "))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no model given");
    }

    @Test
    void resolveOnAnEmptyRegistrySaysNothingIsRegistered() {
        assertThatThrownBy(() -> store.registry().resolve("tiny"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no models are registered yet");
    }

    @Test
    void verifyNamesTheChangedMissingOrExtraFile() throws Exception {
        ModelVersion v = store.registry().register("tiny", modelFolder("weights"), models());
        store.registry().verify(v);

        Path weights = v.dir().resolve("model.safetensors");
        Files.setPosixFilePermissions(weights, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(weights, "weightz");
        assertThatThrownBy(() -> store.registry().verify(v))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("file model.safetensors was changed");

        Files.writeString(weights, "weights");
        store.registry().verify(v);
        Files.writeString(v.dir().resolve("tokenizer/merges.txt"), "x");
        assertThatThrownBy(() -> store.registry().verify(v))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("file tokenizer/merges.txt is extra");

        Files.delete(v.dir().resolve("tokenizer/merges.txt"));
        Files.delete(v.dir().resolve("config.json"));
        assertThatThrownBy(() -> store.registry().verify(v))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("file config.json is missing");
    }

    @Test
    void refusesBadNamesAndFoldersThatAreNotModels() throws Exception {
        Path src = modelFolder("a");
        for (String bad : new String[] {"Tiny", "", "-tiny", ".tiny", "tiny model", "a/b", "x".repeat(65)}) {
            assertThatThrownBy(() -> store.registry().register(bad, src, models()))
                    .as(bad)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("bad model name");
        }
        assertThatThrownBy(() -> store.registry().register("tiny", home.resolve("nope"), models()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not a folder");
        Path noConfig = Files.createDirectories(home.resolve("noconfig"));
        Files.writeString(noConfig.resolve("model.safetensors"), "w");
        assertThatThrownBy(() -> store.registry().register("tiny", noConfig, models()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("has no config.json");
        Files.writeString(noConfig.resolve("config.json"), "{not json");
        assertThatThrownBy(() -> store.registry().register("tiny", noConfig, models()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not valid JSON");
        assertThat(store.registry().names()).isEmpty();
        assertThat(models().resolve("tiny")).doesNotExist();
    }

    @Test
    void aStrayFolderInTheWayIsReportedAndNothingIsRecorded() throws Exception {
        Files.createDirectories(models().resolve("tiny/1"));
        assertThatThrownBy(() -> store.registry().register("tiny", modelFolder("a"), models()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("already exists")
                .hasMessageContaining("Move it away");
        assertThat(store.registry().names()).isEmpty();
        try (var left = Files.list(models().resolve("tiny"))) {
            assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("1");
        }
    }

    // Keys -------------------------------------------------------------------------------------------

    @Test
    void createdKeysAuthenticateByTheirSecret() {
        RateLimit rate = RateLimit.parse("60/min");
        CreatedKey created = store.keys().create(Role.USER, "alice", rate, 100_000L);

        assertThat(created.secret()).matches("hk-" + created.key().id() + "-[0-9A-Za-z]{40}");
        assertThat(created.key().role()).isEqualTo(Role.USER);
        assertThat(created.key().rate()).isEqualTo(rate);
        assertThat(created.key().tokensPerDay()).isEqualTo(100_000L);
        assertThat(created.key().revoked()).isFalse();
        assertThat(created.toString()).doesNotContain(created.secret());

        assertThat(store.keys().authenticate(created.secret())).contains(created.key());
        assertThat(store.keys().authenticate(created.secret() + "x")).isEmpty();
        assertThat(store.keys().authenticate("hk-nothing")).isEmpty();
        assertThat(store.keys().authenticate(null)).isEmpty();

        CreatedKey admin = store.keys().create(Role.ADMIN, null, null, null);
        assertThat(admin.key().id()).isNotEqualTo(created.key().id());
        assertThat(store.keys().list()).containsExactlyInAnyOrder(created.key(), admin.key());
        assertThat(store.keys().authenticate(admin.secret()).orElseThrow().rate()).isNull();
    }

    @Test
    void onlyTheHashOfTheSecretIsStored() throws Exception {
        CreatedKey created = store.keys().create(Role.AUDITOR, "audit", null, null);
        String randomPart = created.secret().substring(created.secret().lastIndexOf('-') + 1);
        StringBuilder everything = new StringBuilder();
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM api_keys")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    everything.append(rs.getString(i)).append('|');
                }
            }
        }
        assertThat(everything.toString())
                .doesNotContain(created.secret())
                .doesNotContain(randomPart)
                .contains(Sha256.hex(created.secret()));
    }

    @Test
    void revokedKeysStillAuthenticateAsRevokedAndRevokingTwiceChangesNothing() {
        CreatedKey created = store.keys().create(Role.USER, "bob", null, null);
        ApiKey revoked = store.keys().revoke(created.key().id());
        assertThat(revoked.revoked()).isTrue();
        assertThat(store.keys().authenticate(created.secret())).contains(revoked);
        assertThat(store.keys().revoke(created.key().id())).isEqualTo(revoked);
        assertThatThrownBy(() -> store.keys().revoke("nope"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown API key 'nope'");
    }

    @Test
    void tokenUseAddsUpPerDay() {
        String id = store.keys().create(Role.USER, "carol", null, 1000L).key().id();
        LocalDate today = LocalDate.of(2026, 5, 20);
        assertThat(store.keys().tokensUsed(id, today)).isZero();
        store.keys().addTokens(id, today, 120);
        store.keys().addTokens(id, today, 30);
        store.keys().addTokens(id, today.plusDays(1), 7);
        assertThat(store.keys().tokensUsed(id, today)).isEqualTo(150);
        assertThat(store.keys().tokensUsed(id, today.plusDays(1))).isEqualTo(7);
        assertThatThrownBy(() -> store.keys().addTokens("nope", today, 1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown API key 'nope'");
        store.keys().addTokens(id, today, -50);                           // a refund of an unused reservation
        assertThat(store.keys().tokensUsed(id, today)).isEqualTo(100);
    }

    @Test
    void tokenCountsOfSeveralRequestsAreAddedTogetherOrNotAtAll() {
        String a = store.keys().create(Role.USER, "erin", null, null).key().id();
        String b = store.keys().create(Role.USER, "frank", null, null).key().id();
        LocalDate today = LocalDate.of(2026, 5, 20);
        store.keys().addTokens(List.of(new ApiKeys.TokenCount(a, today, 10), new ApiKeys.TokenCount(b, today, 5),
                new ApiKeys.TokenCount(a, today, 7), new ApiKeys.TokenCount(a, today.plusDays(1), 1)));
        assertThat(store.keys().tokensUsed(a, today)).isEqualTo(17);
        assertThat(store.keys().tokensUsed(b, today)).isEqualTo(5);
        assertThat(store.keys().tokensUsed(a, today.plusDays(1))).isEqualTo(1);
        // an unknown key fails the whole batch, named, and counts nothing
        assertThatThrownBy(() -> store.keys().addTokens(List.of(new ApiKeys.TokenCount(a, today, 100),
                new ApiKeys.TokenCount("nope", today, 1))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown API key 'nope'");
        assertThat(store.keys().tokensUsed(a, today)).isEqualTo(17);
        store.keys().addTokens(List.of());
    }

    @Test
    void reservationsNeverPassTheQuotaEvenConcurrently() throws Exception {
        String id = store.keys().create(Role.USER, "dave", null, 1000L).key().id();
        LocalDate today = LocalDate.of(2026, 5, 21);
        assertThat(store.keys().reserveTokens(id, today, 600, 1000)).isTrue();
        assertThat(store.keys().reserveTokens(id, today, 600, 1000)).isFalse();
        assertThat(store.keys().tokensUsed(id, today)).isEqualTo(600);
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 40; i++) {
                pool.submit(() -> {
                    if (store.keys().reserveTokens(id, today, 30, 1000)) {
                        granted.incrementAndGet();
                    }
                });
            }
        }
        assertThat(granted.get()).isEqualTo(13);                             // 600 + 13 * 30 = 990 <= 1000
        assertThat(store.keys().tokensUsed(id, today)).isEqualTo(990);
        assertThatThrownBy(() -> store.keys().reserveTokens("nope", today, 1, 10))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void concurrentTokenCountsAreNotLost() throws Exception {
        String id = store.keys().create(Role.USER, "dave", null, null).key().id();
        LocalDate day = LocalDate.of(2026, 1, 1);
        runConcurrently(8, 50, i -> store.keys().addTokens(id, day, 3));
        assertThat(store.keys().tokensUsed(id, day)).isEqualTo(8 * 50 * 3);
    }

    @Test
    void refusesKeysWithoutRoleOrWithANegativeQuota() {
        assertThatThrownBy(() -> store.keys().create(null, "x", null, null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("needs a role");
        assertThatThrownBy(() -> store.keys().create(Role.USER, "x", null, -5L))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("tokens per day");
    }

    // Audit ------------------------------------------------------------------------------------------

    static AuditRecord call(int i) {
        return new AuditRecord(Instant.parse("2026-05-20T10:00:00Z").plusMillis(i).plusNanos(123), "key" + i,
                "USER", "POST", "/v1/chat/completions", "tiny", "tiny:1", 10 + i, 20 + i, 200, 15 + i, null,
                "prompt " + i, "req-" + i, i % 2 == 0 ? "end-user-" + i : null);
    }

    List<AuditEntry> appendFive() {
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            entries.add(store.audit().append(call(i)));
        }
        return entries;
    }

    List<Object> problemsFound() {
        return store.audit().verify().problems().stream()
                .map(p -> (Object) tuple(p.seq(), p.kind()))
                .toList();
    }

    @Test
    void appendsFormAHashChain() {
        List<AuditEntry> entries = appendFive();
        assertThat(entries).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(entries.getFirst().prevHash()).isEqualTo("0".repeat(64));
        for (int i = 1; i < entries.size(); i++) {
            assertThat(entries.get(i).prevHash()).isEqualTo(entries.get(i - 1).hash());
        }
        assertThat(entries.get(2).hash())
                .isEqualTo(AuditLog.hashOf(entries.get(1).hash(), 3, call(3)))
                .matches("[0-9a-f]{64}");

        assertThat(store.audit().read(0, 100)).isEqualTo(entries);
        assertThat(store.audit().read(2, 2)).isEqualTo(entries.subList(2, 4));
        assertThat(store.audit().tail(2)).isEqualTo(entries.subList(3, 5));
        AuditVerification ok = store.audit().verify();
        assertThat(ok.ok()).isTrue();
        assertThat(ok.rowsChecked()).isEqualTo(5);
    }

    @Test
    void recordsAppendedTogetherContinueTheChainInTheirOrderOrNotAtAll() {
        store.audit().append(call(1));
        List<AuditEntry> batch = store.audit().appendAll(List.of(call(2), call(3), call(4)));
        assertThat(batch).extracting(AuditEntry::seq).containsExactly(2L, 3L, 4L);
        assertThat(batch.getFirst().prevHash()).isEqualTo(store.audit().read(0, 1).getFirst().hash());
        assertThat(batch.get(2).hash()).isEqualTo(AuditLog.hashOf(batch.get(1).hash(), 4, call(4)));
        assertThat(store.audit().append(call(5)).prevHash()).isEqualTo(batch.get(2).hash());
        assertThat(store.audit().read(0, 100)).hasSize(5);
        assertThat(store.audit().verify().ok()).isTrue();
        // a record without an endpoint refuses the whole batch before anything is written
        assertThatThrownBy(() -> store.audit().appendAll(List.of(call(6),
                new AuditRecord(null, null, null, "GET", null, null, null, 0, 0, 200, 1, null, null, null, null))))
                .isInstanceOf(StoreException.class).hasMessageContaining("needs at least a method and an endpoint");
        assertThat(store.audit().read(0, 100)).hasSize(5);
        assertThat(store.audit().appendAll(List.of())).isEmpty();
        assertThatThrownBy(() -> store.audit().append(null)).isInstanceOf(StoreException.class);
    }

    @Test
    void everyAuditFieldSurvivesTheRoundTrip() {
        AuditRecord odd = new AuditRecord(Instant.parse("2026-05-20T10:00:00.123456789Z"), null, null, "GET",
                "/v1/models", null, null, 0, 0, 401, 3, "no key: send Authorization: Bearer hk-...",
                "línea 1\nline 2 \"quoted\" ✓ 🔥", null, "usuário ✓ 42");
        AuditEntry written = store.audit().append(odd);
        assertThat(written.record()).isEqualTo(odd);
        assertThat(store.audit().read(0, 1)).containsExactly(written);

        AuditEntry nul = store.audit().append(new AuditRecord(null, null, null, "POST", "/x", null, null, 0, 0,
                200, 0, null, "a\0b", null, null));
        assertThat(nul.record().prompt()).isEqualTo("a\uFFFDb");
        assertThat(nul.record().at()).isNotNull();
        assertThat(store.audit().verify().ok()).isTrue();
        assertThatThrownBy(() -> store.audit().append(new AuditRecord(null, null, null, null, "/x", null, null,
                0, 0, 200, 0, null, null, null, null)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("method and an endpoint");
    }

    @Test
    void anEmptyAuditLogVerifies() {
        AuditVerification v = store.audit().verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.rowsChecked()).isZero();
        assertThat(store.audit().tail(10)).isEmpty();
    }

    @Test
    void anEditedAuditFieldIsNamed() throws Exception {
        appendFive();
        sql("UPDATE audit_log SET status = 500 WHERE seq = 3");
        assertThat(problemsFound()).containsExactly(tuple(3L, "edited"));
    }

    @Test
    void anAuditRowRewrittenTogetherWithItsHashIsNamed() throws Exception {
        List<AuditEntry> entries = appendFive();
        AuditRecord forged = new AuditRecord(call(2).at(), "key2", "ADMIN", "POST", "/v1/chat/completions",
                "tiny", "tiny:1", 12, 22, 200, 17, null, "prompt 2", "req-2", "end-user-2");
        String forgedHash = AuditLog.hashOf(entries.get(0).hash(), 2, forged);
        sql("UPDATE audit_log SET role = 'ADMIN', hash = '" + forgedHash + "' WHERE seq = 2");
        assertThat(problemsFound()).containsExactly(tuple(2L, "edited"));
    }

    @Test
    void aDeletedMiddleAuditRowIsNamed() throws Exception {
        appendFive();
        sql("DELETE FROM audit_log WHERE seq = 3");
        assertThat(problemsFound()).containsExactly(tuple(3L, "deleted"));
        assertThat(store.audit().verify().rowsChecked()).isEqualTo(4);
    }

    @Test
    void aDeletedFirstAuditRowIsNamed() throws Exception {
        appendFive();
        sql("DELETE FROM audit_log WHERE seq = 1");
        assertThat(problemsFound()).containsExactly(tuple(1L, "deleted"));
    }

    @Test
    void aDeletedLastAuditRowIsNamed() throws Exception {
        appendFive();
        sql("DELETE FROM audit_log WHERE seq = 5");
        AuditVerification v = store.audit().verify();
        assertThat(v.ok()).isFalse();
        assertThat(problemsFound()).containsExactly(tuple(5L, "truncated"));
        assertThat(v.problems().getFirst().message()).contains("head records 5");
    }

    @Test
    void swappedAuditRowsAreNamed() throws Exception {
        appendFive();
        swapRows(2, 4, true);
        assertThat(problemsFound()).containsExactly(tuple(2L, "reordered"), tuple(4L, "reordered"));
    }

    @Test
    void swappedNeighbouringAuditRowsAreNamed() throws Exception {
        appendFive();
        swapRows(3, 4, true);
        assertThat(problemsFound()).containsExactly(tuple(3L, "reordered"), tuple(4L, "reordered"));
    }

    @Test
    void auditRowsWithOnlyTheirContentSwappedAreNamed() throws Exception {
        appendFive();
        swapRows(1, 5, false);
        assertThat(problemsFound()).containsExactly(tuple(1L, "reordered"), tuple(5L, "reordered"));
    }

    @Test
    void anAuditRowAddedPastTheHeadIsNamed() throws Exception {
        List<AuditEntry> entries = appendFive();
        AuditEntry last = entries.getLast();
        String hash = AuditLog.hashOf(last.hash(), 6, call(6));
        sql("INSERT INTO audit_log (seq, at, method, endpoint, prompt_tokens, completion_tokens, status, latency_ms, "
                + "prev_hash, hash) VALUES (6, '2026-05-20T10:00:00.006000123Z', 'POST', '/v1/chat/completions', "
                + "1, 1, 200, 1, '" + last.hash() + "', '" + hash + "')");
        assertThat(problemsFound()).containsExactly(tuple(6L, "inserted"));
        assertThat(store.audit().verify().rowsChecked()).isEqualTo(6);
    }

    @Test
    void auditAppendsFromManyThreadsGetConsecutiveSeqs() throws Exception {
        runConcurrently(8, 50, i -> store.audit().append(call(i)));
        AuditVerification v = store.audit().verify();
        assertThat(v.problems()).isEmpty();
        assertThat(v.rowsChecked()).isEqualTo(400);
        List<AuditEntry> all = new ArrayList<>();
        List<AuditEntry> page;
        while (!(page = store.audit().read(all.isEmpty() ? 0 : all.getLast().seq(), 150)).isEmpty()) {
            all.addAll(page);
        }
        assertThat(all).extracting(AuditEntry::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
    }

    @Test
    void twoStoresOnOneDatabaseShareTheAuditChain() throws Exception {
        try (Store second = Store.open(jdbcUrl(), home)) {
            runConcurrently(4, 40, i -> (i % 2 == 0 ? store : second).audit().append(call(i)));
            assertThat(second.audit().verify().problems()).isEmpty();
            assertThat(store.audit().verify().rowsChecked()).isEqualTo(160);
        }
    }

    @Test
    void limitsMayBeZeroButNotNegative() {
        appendFive();
        assertThat(store.audit().tail(0)).isEmpty();
        assertThat(store.audit().read(0, 0)).isEmpty();
        assertThatThrownBy(() -> store.audit().tail(-1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("limit must be 0 or more");
        assertThatThrownBy(() -> store.audit().read(0, -1)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.feedback().list(null, -1)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.runs().list(-1)).isInstanceOf(StoreException.class);
    }

    /** Swaps every column but seq of two rows, or only the recorded call (leaving prev_hash and hash in place). */
    void swapRows(long a, long b, boolean withHashes) throws SQLException {
        List<String> columns = new ArrayList<>(List.of("at", "key_id", "role", "method", "endpoint", "model",
                "model_version", "prompt_tokens", "completion_tokens", "status", "latency_ms", "error", "prompt",
                "request_id", "end_user"));
        if (withHashes) {
            columns.addAll(List.of("prev_hash", "hash"));
        }
        try (Connection c = raw()) {
            c.setAutoCommit(false);
            long[] seqs = {a, b};
            Object[][] rows = new Object[2][];
            for (int r = 0; r < 2; r++) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT " + String.join(", ", columns) + " FROM audit_log WHERE seq = ?")) {
                    ps.setLong(1, seqs[r]);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        rows[r] = new Object[columns.size()];
                        for (int i = 0; i < columns.size(); i++) {
                            rows[r][i] = rs.getObject(i + 1);
                        }
                    }
                }
            }
            String set = String.join(", ", columns.stream().map(col -> col + " = ?").toList());
            for (int r = 0; r < 2; r++) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET " + set + " WHERE seq = ?")) {
                    Object[] other = rows[1 - r];
                    for (int i = 0; i < other.length; i++) {
                        ps.setObject(i + 1, other[i]);
                    }
                    ps.setLong(other.length + 1, seqs[r]);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
    }

    // Feedback and runs ------------------------------------------------------------------------------

    @Test
    void feedbackIsListedNewestFirstPerModel() {
        Instant t = Instant.parse("2026-05-20T10:00:00Z");
        Feedback a = new Feedback("req-1", "k1", "tiny", "tiny:1", 5, "great", t);
        Feedback b = new Feedback("req-2", "k1", "tiny", "tiny:2", -1, "made up a citation", t.plusSeconds(1));
        Feedback c = new Feedback(null, null, "other", null, 0, null, t.plusSeconds(2));
        store.feedback().add(a);
        store.feedback().add(b);
        store.feedback().add(c);
        assertThat(store.feedback().list(null, 10)).containsExactly(c, b, a);
        assertThat(store.feedback().list("tiny", 10)).containsExactly(b, a);
        assertThat(store.feedback().list("tiny", 1)).containsExactly(b);
        assertThat(store.feedback().list("none", 10)).isEmpty();
    }

    @Test
    void feedbackRatingsMustBeInRange() {
        for (int bad : new int[] {-2, 6}) {
            assertThatThrownBy(() -> store.feedback().add(new Feedback("r", "k", "m", null, bad, null, Instant.now())))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("-1 (flag), 0 or 1 to 5");
        }
    }

    @Test
    void runsAreListedNewestFirstAndResumedRunsReplaceTheirRecord() {
        Instant t = Instant.parse("2026-05-20T10:00:00.5Z");
        RunRecord first = new RunRecord("run-a", "train", "running", t, null, "runs/run-a", "{\"lr\":0.001}");
        RunRecord second = new RunRecord("run-b", "eval", "running", t.plusSeconds(60), null, "runs/run-b", null);
        store.runs().start(first);
        store.runs().start(second);
        assertThat(store.runs().list(10)).containsExactly(second, first);
        assertThat(store.runs().list(1)).containsExactly(second);

        Instant end = t.plusSeconds(3600);
        store.runs().finish("run-a", "failed", end);
        assertThat(store.runs().list(10).get(1))
                .isEqualTo(new RunRecord("run-a", "train", "failed", t, end, "runs/run-a", "{\"lr\":0.001}"));

        RunRecord resumed = new RunRecord("run-a", "train", "running", t.plusSeconds(7200), null, "runs/run-a",
                "{\"lr\":0.0005}");
        store.runs().start(resumed);
        assertThat(store.runs().list(10)).containsExactly(resumed, second);
        assertThatThrownBy(() -> store.runs().finish("nope", "done", end))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown run 'nope'");
    }

    @Test
    void metricsAreStoredInBatchesAndReadPerName() {
        Instant t = Instant.parse("2026-05-20T10:00:00Z");
        store.runs().start(new RunRecord("run-a", "train", "running", t, null, null, null));
        List<MetricPoint> points = new ArrayList<>();
        for (int step = 0; step < 100; step++) {
            points.add(new MetricPoint("run-a", step, "loss", 3.0 / (step + 1), t.plusSeconds(step)));
            points.add(new MetricPoint("run-a", step, "lr", 1e-3, t.plusSeconds(step)));
        }
        points.add(new MetricPoint("run-a", 100, "loss", Double.NaN, t.plusSeconds(100)));
        points.add(new MetricPoint("run-a", 100, "grad_norm", Double.POSITIVE_INFINITY, t.plusSeconds(100)));
        store.runs().addMetrics(points);

        List<MetricPoint> loss = store.runs().metrics("run-a", "loss");
        assertThat(loss).hasSize(101);
        assertThat(loss.getFirst()).isEqualTo(points.getFirst());
        assertThat(loss.getLast().value()).isNaN();
        assertThat(store.runs().metrics("run-a", "grad_norm").getFirst().value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(store.runs().metrics("run-a", null)).hasSize(202);
        assertThat(store.runs().metrics("run-b", null)).isEmpty();

        // a resumed run logging step 5 again replaces it
        store.runs().addMetrics(List.of(new MetricPoint("run-a", 5, "loss", 0.25, t)));
        assertThat(store.runs().metrics("run-a", "loss").get(5).value()).isEqualTo(0.25);

        assertThatThrownBy(() -> store.runs().addMetrics(List.of(new MetricPoint("ghost", 1, "loss", 1, t))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("never started");
    }

    // ------------------------------------------------------------------------------------------------

    interface Step {
        void run(int i) throws Exception;
    }

    /** Runs {@code step} {@code perThread} times on each of {@code threads} threads at once; rethrows the first failure. */
    static void runConcurrently(int threads, int perThread, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < perThread; i++) {
                        step.run(thread * perThread + i);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
