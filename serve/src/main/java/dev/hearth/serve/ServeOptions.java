package dev.hearth.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;

/**
 * How the server runs.
 *
 * @param host            address to bind ("127.0.0.1" by default; "0.0.0.0" for every interface)
 * @param port            TCP port (0 picks a free one)
 * @param maxBatch        sequences decoded together per model
 * @param queueCapacity   requests that may wait per model; past it, 429
 * @param maxBodyBytes    largest request body accepted (413 past it)
 * @param maxTokens       the most new tokens one request may ask for (beyond the model's context)
 * @param requestTimeout  how long one request may take, queueing included (504 past it)
 * @param idleTimeout     how long a connection may stay silent (a slow client is dropped after it)
 * @param auditPrompts    store prompt text in the audit log (off: only counts and metadata)
 * @param tlsKeystore     a PKCS12 or JKS keystore to serve HTTPS, or null for plain HTTP
 * @param tlsPassword     its password
 * @param computeThreads  threads each model's scheduler computes with (by default one fewer than the
 *                        cores, leaving one for the network side: tiny models decode faster that way)
 * @param pii             the personal-data guardrail on prompts and answers
 * @param computeCpus     CPUs the models' compute threads are bound to, the server's other threads
 *                        getting the rest ({@link CpuFence}; Linux), or null to leave placement to
 *                        the kernel
 * @param prefixCacheBytes memory each served model may keep for the keys and values of prompt
 *                        prefixes already read, reused by later prompts that start the same way
 *                        ({@link PrefixCache}; 0 turns it off)
 */
public record ServeOptions(String host, int port, int maxBatch, int queueCapacity, long maxBodyBytes, int maxTokens,
                           Duration requestTimeout, Duration idleTimeout, boolean auditPrompts, Path tlsKeystore,
                           char[] tlsPassword, int computeThreads, PiiMode pii,
                           BitSet computeCpus, long prefixCacheBytes) {

    /** One fewer than the cores, at least one. */
    public static int defaultComputeThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 8080, 16, 64, 1 << 20, 4096, Duration.ofMinutes(2),
                Duration.ofSeconds(30), false, null, null, defaultComputeThreads(), PiiMode.OFF, null, 64L << 20);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout, idleTimeout,
                auditPrompts, tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withQueue(int batch, int capacity) {
        return new ServeOptions(host, port, batch, capacity, maxBodyBytes, maxTokens, requestTimeout, idleTimeout,
                auditPrompts, tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withLimits(long bodyBytes, int tokens, Duration timeout, Duration idle) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, bodyBytes, tokens, timeout, idle, auditPrompts,
                tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withAuditPrompts(boolean on) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, on, tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withTls(Path keystore, char[] password) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, auditPrompts, keystore, password, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withComputeThreads(int threads) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, auditPrompts, tlsKeystore, tlsPassword, threads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withPii(PiiMode mode) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, auditPrompts, tlsKeystore, tlsPassword, computeThreads, mode, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withHost(String h) {
        return new ServeOptions(h, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout, idleTimeout,
                auditPrompts, tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, prefixCacheBytes);
    }

    public ServeOptions withComputeCpus(BitSet cpus) {
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, auditPrompts, tlsKeystore, tlsPassword, computeThreads, pii,
                cpus == null ? null : (BitSet) cpus.clone(), prefixCacheBytes);
    }

    public ServeOptions withPrefixCache(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the prefix cache's size must be 0 (off) or more, got " + bytes);
        }
        return new ServeOptions(host, port, maxBatch, queueCapacity, maxBodyBytes, maxTokens, requestTimeout,
                idleTimeout, auditPrompts, tlsKeystore, tlsPassword, computeThreads, pii, computeCpus, bytes);
    }
}
