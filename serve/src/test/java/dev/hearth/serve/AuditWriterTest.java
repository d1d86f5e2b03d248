package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.store.ApiKeys;
import dev.hearth.store.AuditRecord;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Group commit of the audit log: nothing lost, nothing written late, one bad count costs only itself. */
class AuditWriterTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 23);

    private static AuditRecord record(String keyId, int i) {
        return new AuditRecord(Instant.now(), keyId, "user", "POST", "/v1/completions", "tiny", "tiny:1", 3, i, 200,
                5, null, null, "req-" + i, null);
    }

    @Test
    void concurrentRequestsAreAllWrittenInOneChainEachBeforeItsCallReturns() throws Exception {
        try (Store store = Store.open(null, TestServer.tempHome())) {
            String key = store.keys().create(Role.USER, "writer", null, null).key().id();
            List<Future<?>> done = new ArrayList<>();
            try (AuditWriter writer = new AuditWriter(store);
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    done.add(pool.submit(() -> {
                        writer.write(record(key, n), new ApiKeys.TokenCount(key, DAY, n));
                        // written by the time write returns, not later
                        assertThat(store.audit().byRequestId("req-" + n)).hasSize(1);
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            assertThat(store.audit().verify().ok()).isTrue();
            assertThat(store.audit().verify().rowsChecked()).isEqualTo(200);
            assertThat(store.keys().tokensUsed(key, DAY)).isEqualTo(200 * 199 / 2);
        }
    }

    @Test
    void aCountForAnUnknownKeyIsLostAloneAndWritesGoOnAfterClose() throws Exception {
        try (Store store = Store.open(null, TestServer.tempHome())) {
            String key = store.keys().create(Role.USER, "writer", null, null).key().id();
            AuditWriter writer = new AuditWriter(store);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    pool.submit(() -> writer.write(record(key, n),
                            new ApiKeys.TokenCount(n % 10 == 3 ? "gone" : key, DAY, 1)));
                }
            }
            assertThat(store.keys().tokensUsed(key, DAY)).isEqualTo(36);
            assertThat(store.audit().verify().rowsChecked()).isEqualTo(40);
            writer.close();
            writer.write(record(key, 40), null);                            // on the caller's thread now
            writer.close();
            assertThat(store.audit().byRequestId("req-40")).hasSize(1);
            assertThat(store.keys().tokensUsed(key, DAY)).isEqualTo(36);
        }
    }
}
