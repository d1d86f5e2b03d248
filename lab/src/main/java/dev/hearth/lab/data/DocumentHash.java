package dev.hearth.lab.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The number in [0, 1) that decides a document's split in {@link SplitMode#DOCUMENT} mode: the
 * first 8 bytes of SHA-256 of the UTF-8 text {@code "<seed>:<key>:<index>"} (seed in decimal,
 * key the file's path relative to its input with '/' separators, index the document's number in
 * the file from 0), as a big-endian unsigned number, times 2^-64 (to 53 bits). A document goes to
 * val when this is below the val fraction. Any language can recompute it; it depends on nothing
 * but these three values. Not thread-safe: one per thread.
 */
final class DocumentHash {
    private final MessageDigest sha = Sha256.newDigest();
    private final byte[] seedBytes;
    private String lastKey;
    private byte[] keyBytes;
    private final byte[] digits = new byte[20];

    DocumentHash(long seed) {
        this.seedBytes = (seed + ":").getBytes(StandardCharsets.UTF_8);
    }

    double unit(String key, long index) {
        if (!key.equals(lastKey)) {
            lastKey = key;
            keyBytes = (key + ":").getBytes(StandardCharsets.UTF_8);
        }
        sha.reset();
        sha.update(seedBytes);
        sha.update(keyBytes);
        int n = 0;
        long v = index;
        do {
            digits[digits.length - 1 - n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        sha.update(digits, digits.length - n, n);
        byte[] d = sha.digest();
        long u = 0;
        for (int i = 0; i < 8; i++) {
            u = u << 8 | (d[i] & 0xFF);
        }
        return (u >>> 11) * 0x1.0p-53;
    }

    boolean isValidation(String key, long index, double valFraction) {
        return unit(key, index) < valFraction;
    }

    /** In {@link SplitMode#TAIL} mode, how many of a document's {@code n} tokens stay in train: floor(n (1 - f)). */
    static long tailTrainTokens(long n, double valFraction) {
        return (long) Math.floor(n * (1.0 - valFraction));
    }
}
