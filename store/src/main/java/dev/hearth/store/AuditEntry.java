package dev.hearth.store;

/**
 * A record in the audit chain: {@code hash = SHA-256(prevHash + canonical(seq, record))}.
 *
 * @param seq      1, 2, 3... with no gaps
 * @param prevHash the previous entry's hash; 64 zeros for the first
 */
public record AuditEntry(long seq, AuditRecord record, String prevHash, String hash) {
}
