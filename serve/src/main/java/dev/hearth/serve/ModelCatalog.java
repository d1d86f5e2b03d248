package dev.hearth.serve;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.store.ModelRegistry;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.StoreException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models the server can answer with: a request's model name ({@code name} for its champion,
 * {@code name@alias}, {@code name:version}) is resolved in the registry on every request, so when
 * an alias moves new requests go to the new version at once, while requests already running
 * finish on the version they started with. A version is loaded the first time it is asked for
 * (its files are checked against the registry's hashes first) and keeps its own scheduler.
 */
public final class ModelCatalog implements AutoCloseable {
    private final ModelRegistry registry;
    private final ServeOptions options;
    private final ServerMetrics metrics;
    private final Map<String, ServedModel> loaded = new ConcurrentHashMap<>();

    public ModelCatalog(ModelRegistry registry, ServeOptions options, ServerMetrics metrics) {
        this.registry = registry;
        this.options = options;
        this.metrics = metrics;
    }

    /** The model a request names, loading it when needed; 404 for an unknown name, alias or version. */
    public ServedModel resolve(String ref) {
        ModelVersion v;
        try {
            v = registry.resolve(ref);
        } catch (StoreException e) {
            throw ApiException.notFound("model_not_found", "model", e.getMessage());
        }
        return load(v);
    }

    /** Loads a version (once) and starts its scheduler. */
    public ServedModel load(ModelVersion v) {
        return loaded.computeIfAbsent(v.ref(), ref -> {
            try {
                registry.verify(v);
                ModelFolder.Loaded m = ModelFolder.load(v.dir());
                if (m.tokenizer() == null) {
                    throw new HearthException(v.dir() + " has no tokenizer.json; a served model needs one");
                }
                BatchScheduler scheduler = new BatchScheduler(m.model(), m.tokenizer(), ref, options.maxBatch(),
                        options.queueCapacity(), metrics);
                return new ServedModel(v, m, ChatTemplate.forModel(v.dir(), m.tokenizer()), scheduler);
            } catch (HearthException e) {
                throw new ApiException(500, "server_error", "model_load_failed", "model", "model " + ref
                        + " cannot be loaded: " + e.getMessage(), 0);
            }
        });
    }

    /** Loads the champion of every registered name (what /readyz waits for). */
    public List<ServedModel> loadChampions() {
        return registry.names().stream().map(n -> load(registry.resolve(n))).toList();
    }

    public ModelRegistry registry() {
        return registry;
    }

    public List<ServedModel> loadedModels() {
        return List.copyOf(loaded.values());
    }

    public int queueLength() {
        return loaded.values().stream().mapToInt(m -> m.scheduler().queueLength()).sum();
    }

    public int runningRequests() {
        return loaded.values().stream().mapToInt(m -> m.scheduler().runningRequests()).sum();
    }

    @Override
    public void close() {
        loaded.values().forEach(m -> m.scheduler().close());
        loaded.clear();
    }
}
