package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real server on a free port over a fresh SQLite store, serving a tiny random Llama (char
 * tokenizer, context 64) registered as "tiny", with a user, an admin and an auditor key.
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?:\n";

    final Path home;
    final Store store;
    final HearthServer server;
    final String user;
    final String admin;
    final String auditor;
    final HttpClient http = HttpClient.newHttpClient();

    TestServer(Path home, ServeOptions options) {
        this(home, options, 64);
    }

    /** A server whose model has {@code context} positions (a longer one generates for longer). */
    TestServer(Path home, ServeOptions options, int context) {
        this.home = home;
        this.store = Store.open(null, home);
        store.registry().register("tiny", modelFolder(home.resolve("src-1"), 1, context), home.resolve("models"));
        this.user = store.keys().create(Role.USER, "test user", null, null).secret();
        this.admin = store.keys().create(Role.ADMIN, "test admin", null, null).secret();
        this.auditor = store.keys().create(Role.AUDITOR, "test auditor", null, null).secret();
        this.server = new HearthServer(store, options.withPort(0)).start();
        server.loadModels();
    }

    TestServer(Path home) {
        this(home, ServeOptions.defaults());
    }

    /** Writes a tiny model folder (weights seeded by {@code seed}). */
    static Path modelFolder(Path dir, long seed) {
        return modelFolder(dir, seed, 64);
    }

    static Path modelFolder(Path dir, long seed, int context) {
        CharTokenizer tok = CharTokenizer.train(ALPHABET);
        Llama model = new Llama(new Llama.Config(tok.vocabSize(), context, 2, 4, 2, 32, 64, 10000f, 1e-6f, false, false,
                false, 0f), new Rng(seed));
        ModelFolder.save(dir, model, tok, GenerationConfig.defaults(-1, List.of()), Map.of());
        return dir;
    }

    String url() {
        return server.url();
    }

    HttpResponse<String> post(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return send(key == null ? b : b.header("Authorization", "Bearer " + key));
    }

    HttpResponse<String> postBytes(String path, String key, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).GET();
        return send(key == null ? b : b.header("Authorization", "Bearer " + key));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + r.statusCode() + "): " + r.body(), e);
        }
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** Stops the server and, for a home made by {@link #tempHome()}, deletes it. */
    @Override
    public void close() {
        server.close();
        store.close();
        if (home.getFileName().toString().startsWith(TEMP_PREFIX)) {
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final String TEMP_PREFIX = "hearth-serve-test";

    static Path tempHome() {
        try {
            return Files.createTempDirectory(TEMP_PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
