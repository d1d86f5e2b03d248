package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.serve.CpuFence;
import dev.hearth.serve.HearthServer;
import dev.hearth.serve.PiiMode;
import dev.hearth.serve.ServeOptions;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth serve}: the OpenAI-compatible API over the registry's models, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the registered models with an OpenAI-compatible API (completions, chat, embeddings,",
            "streaming), continuous batching, API keys with roles, rate limits, an audit log and Prometheus metrics.",
            "Every endpoint but /healthz needs 'Authorization: Bearer <key>' (hearth keys create --role user)."})
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch", defaultValue = "16", paramLabel = "N",
            description = "Sequences decoded together per model (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests that may wait per model; past it, 429 with Retry-After (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-tokens", defaultValue = "4096", paramLabel = "N",
            description = "Most new tokens one request may ask for (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--max-body", defaultValue = "1048576", paramLabel = "BYTES",
            description = "Largest request body (default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "Longest a request may take, queueing included (default ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--idle-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "A connection silent this long is closed (slow clients) (default ${DEFAULT-VALUE}).")
    long idleTimeout;

    @Option(names = "--compute-threads", paramLabel = "N",
            description = "Threads each model computes with (default: one fewer than the cores, at least 1).")
    Integer computeThreads;

    @Option(names = "--compute-cpus", paramLabel = "LIST",
            description = "Linux: bind the models' compute threads to these CPUs (e.g. 0 or 0-2) and the server's"
                    + " other threads to the rest, so that request handling never pre-empts a decode step; compute"
                    + " threads default to one per listed CPU. Keep other busy processes off these CPUs"
                    + " (taskset). Default: the kernel places every thread.")
    String computeCpus;

    @Option(names = "--prefix-cache-mb", defaultValue = "64", paramLabel = "MB",
            description = "Memory per served model for the keys and values of prompt prefixes already read, in blocks"
                    + " of 16 tokens: a prompt that starts like an earlier one (a system prompt, a template) copies"
                    + " them instead of reading them again; 0 turns it off (default ${DEFAULT-VALUE}).")
    long prefixCacheMb;

    @Option(names = "--pii", defaultValue = "off", paramLabel = "off|log|redact|block",
            description = {"Personal data in prompts and answers: log counts it by type in the metrics; redact replaces",
                "it by its type tag both ways; block refuses prompts holding it (400 pii_detected) and redacts",
                "answers (default: ${DEFAULT-VALUE})."})
    String pii;

    @Option(names = "--audit-prompts", description = "Also store prompt text in the audit log (off by default).")
    boolean auditPrompts;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve HTTPS with this PKCS12/JKS keystore.")
    Path tlsKeystore;

    @Option(names = "--tls-password-env", paramLabel = "VAR",
            description = "Environment variable holding the keystore password.")
    String tlsPasswordEnv;

    @Override
    public Integer call() throws InterruptedException {
        ServeOptions options = options(host, port);
        PrintWriter out = spec.commandLine().getOut();
        Store store = root.openStore();
        HearthServer server = start(store, options, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
            stopped.countDown();
        }));
        out.println("press Ctrl-C to stop");
        out.flush();
        stopped.await();
        return 0;
    }

    ServeOptions options(String host, int port) {
        if (maxBatch < 1 || queue < 1 || maxTokens < 1 || maxBody < 1024 || timeout < 1 || idleTimeout < 1) {
            throw new HearthException("--max-batch, --queue, --max-tokens, --timeout and --idle-timeout must be"
                    + " positive and --max-body at least 1024");
        }
        ServeOptions o = ServeOptions.defaults().withHost(host).withPort(port).withQueue(maxBatch, queue)
                .withLimits(maxBody, maxTokens, Duration.ofSeconds(timeout), Duration.ofSeconds(idleTimeout))
                .withAuditPrompts(auditPrompts).withPii(PiiMode.parse(pii));
        if (prefixCacheMb < 0 || prefixCacheMb > 1L << 30) {
            throw new HearthException("--prefix-cache-mb must be between 0 (off) and " + (1L << 30) + ", got "
                    + prefixCacheMb);
        }
        o = o.withPrefixCache(prefixCacheMb << 20);
        if (computeCpus != null) {
            BitSet cpus = CpuFence.parse(computeCpus);
            o = o.withComputeCpus(cpus).withComputeThreads(cpus.cardinality());
        }
        if (computeThreads != null) {
            if (computeThreads < 1) {
                throw new HearthException("--compute-threads must be at least 1, got " + computeThreads);
            }
            o = o.withComputeThreads(computeThreads);
        }
        if (tlsKeystore != null) {
            if (!Files.isRegularFile(tlsKeystore)) {
                throw new HearthException("--tls-keystore " + tlsKeystore + " is not a file");
            }
            if (tlsPasswordEnv == null) {
                throw new HearthException("--tls-keystore needs --tls-password-env VAR naming the variable that holds"
                        + " the keystore password");
            }
            String password = System.getenv(tlsPasswordEnv);
            if (password == null) {
                throw new HearthException("--tls-password-env: the environment variable " + tlsPasswordEnv
                        + " is not set");
            }
            o = o.withTls(tlsKeystore, password.toCharArray());
        } else if (tlsPasswordEnv != null) {
            throw new HearthException("--tls-password-env is given without --tls-keystore");
        }
        return o;
    }

    /** Starts the server, loads every champion and says where it listens. */
    static HearthServer start(Store store, ServeOptions options, PrintWriter out) {
        HearthServer server = new HearthServer(store, options).start();
        out.printf("loading models from %s ...%n", store.url());
        out.flush();
        server.loadModels();
        if (server.catalog().loadedModels().isEmpty()) {
            out.println("no models are registered yet: requests get 404 until one is (hearth models register DIR"
                    + " --name NAME)");
        }
        out.printf("serving %s at %s (store %s)%n", server.catalog().loadedModels().stream().map(m -> m.id())
                .toList(), server.url(), store.url());
        out.flush();
        return server;
    }
}
