package dev.hearth.serve;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.store.ModelRegistry;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.NotFoundException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the server can answer with: a request's model name ({@code name} for its champion,
 * {@code name@alias}, {@code name:version}) is resolved in the registry on every request, so when
 * an alias moves new requests go to the new version at once, while requests already running
 * finish on the version they started with. A version is loaded the first time it is asked for
 * (its files are checked against the registry's hashes first) and keeps its own scheduler. At
 * most {@link #MAX_LOADED} versions stay loaded: past that, the least recently used idle version
 * that no alias points at is unloaded.
 */
public final class ModelCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);

    /** Versions kept loaded at once (each holds its weights and a scheduler thread). */
    public static final int MAX_LOADED = 4;

    private final ModelRegistry registry;
    private final ServeOptions options;
    private final ServerMetrics metrics;
    private final CpuFence fence;
    private final Map<String, ServedModel> loaded = new LinkedHashMap<>(16, 0.75f, true);   // access order

    public ModelCatalog(ModelRegistry registry, ServeOptions options, ServerMetrics metrics, CpuFence fence) {
        this.fence = fence;
        this.registry = registry;
        this.options = options;
        this.metrics = metrics;
    }

    /** The model a request names, loading it when needed; 404 for an unknown name, alias or version. */
    public ServedModel resolve(String ref) {
        ModelVersion v;
        try {
            v = registry.resolve(ref);
        } catch (NotFoundException e) {
            throw ApiException.notFound("model_not_found", "model", e.getMessage());
        }
        return load(v);
    }

    /** Loads a version (once) and starts its scheduler. Loading holds the catalog: one load at a time. */
    public synchronized ServedModel load(ModelVersion v) {
        ServedModel m = loaded.get(v.ref());
        if (m != null) {
            return m;
        }
        ServedModel fresh = open(v);
        loaded.put(v.ref(), fresh);
        unloadIdleBeyondLimit();
        return fresh;
    }

    private ServedModel open(ModelVersion v) {
        try {
            registry.verify(v);
            ModelFolder.Loaded m = ModelFolder.load(v.dir());
            if (m.tokenizer() == null) {
                throw new HearthException("it has no tokenizer.json");
            }
            ChatTemplate template = ChatTemplate.forModel(v.dir(), m.tokenizer());
            m.model().freezeForInference();      // served weights never change: products read kept panels
            return new ServedModel(v, m, template, new BatchScheduler(m.model(), m.tokenizer(), v.ref(), options,
                    metrics, fence));
        } catch (HearthException e) {
            LOG.error("model {} cannot be loaded", v.ref(), e);
            throw ApiException.internal("model " + v.ref() + " cannot be loaded; the server log says why");
        }
    }

    private void unloadIdleBeyondLimit() {
        if (loaded.size() <= MAX_LOADED) {
            return;
        }
        List<String> aliased = registry.names().stream().flatMap(n -> registry.aliases(n).values().stream()
                .map(version -> n + ":" + version)).toList();
        List<ServedModel> candidates = loaded.values().stream()           // least recently used first
                .filter(m -> m.scheduler().idle() && !aliased.contains(m.id())).toList();
        for (ServedModel m : candidates) {
            if (loaded.size() <= MAX_LOADED) {
                break;
            }
            loaded.remove(m.id());
            m.scheduler().close();
            LOG.info("unloaded model {} (idle, no alias points at it)", m.id());
        }
    }

    /** Loads the champion of every registered name (what /readyz waits for). */
    public List<ServedModel> loadChampions() {
        return registry.names().stream().map(n -> load(registry.resolve(n))).toList();
    }

    public ModelRegistry registry() {
        return registry;
    }

    public synchronized List<ServedModel> loadedModels() {
        return loaded.values().stream().sorted(Comparator.comparing(ServedModel::id)).toList();
    }

    public int queueLength() {
        return loadedModels().stream().mapToInt(m -> m.scheduler().queueLength()).sum();
    }

    public int runningRequests() {
        return loadedModels().stream().mapToInt(m -> m.scheduler().runningRequests()).sum();
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(m -> m.scheduler().close());
        loaded.clear();
    }
}
