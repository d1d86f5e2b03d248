package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The chain's canonical form is documented (docs/store.md) so that others can check a log; keep it fixed. */
class AuditHashTest {

    static final AuditRecord RECORD = new AuditRecord(Instant.parse("2026-05-20T10:00:00Z"), "k1", "USER", "POST",
            "/v1/chat/completions", "tiny", null, 3, 4, 200, 12, null, "héllo", "r1", null);

    @Test
    void hashesThePreviousHashAndTheLengthPrefixedFields() {
        String canonical = "0".repeat(64) + "1:1" + "30:2026-05-20T10:00:00.000000000Z" + "2:k1" + "4:USER" + "4:POST"
                + "20:/v1/chat/completions" + "4:tiny" + "~" + "1:3" + "1:4" + "3:200" + "2:12" + "~" + "6:héllo" + "2:r1";
        assertThat(AuditLog.hashOf("0".repeat(64), 1, RECORD)).isEqualTo(Sha256.hex(canonical));
    }

    @Test
    void anEndUserIsHashedAfterTheOtherFieldsAndOnlyWhenSet() {
        AuditRecord named = new AuditRecord(RECORD.at(), "k1", "USER", "POST", "/v1/chat/completions", "tiny", null,
                3, 4, 200, 12, null, "héllo", "r1", "u-7");
        String canonical = "0".repeat(64) + "1:1" + "30:2026-05-20T10:00:00.000000000Z" + "2:k1" + "4:USER" + "4:POST"
                + "20:/v1/chat/completions" + "4:tiny" + "~" + "1:3" + "1:4" + "3:200" + "2:12" + "~" + "6:héllo" + "2:r1"
                + "3:u-7";
        assertThat(AuditLog.hashOf("0".repeat(64), 1, named)).isEqualTo(Sha256.hex(canonical));
    }

    @Test
    void nullAndEmptyFieldsHashDifferently() {
        AuditRecord empty = new AuditRecord(RECORD.at(), "", "USER", "POST", "/v1/chat/completions", "tiny", null,
                3, 4, 200, 12, null, "héllo", "r1", null);
        AuditRecord none = new AuditRecord(RECORD.at(), null, "USER", "POST", "/v1/chat/completions", "tiny", null,
                3, 4, 200, 12, null, "héllo", "r1", null);
        assertThat(AuditLog.hashOf("0".repeat(64), 1, empty)).isNotEqualTo(AuditLog.hashOf("0".repeat(64), 1, none));
    }
}
