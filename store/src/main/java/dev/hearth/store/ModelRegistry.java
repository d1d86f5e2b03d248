package dev.hearth.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.io.StoredFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Registered model versions and the aliases that point at them. Registering copies a model folder
 * to {@code models/<name>/<version>/}, hashes every file and makes the copies read-only; aliases
 * ({@code champion}, {@code staging}, ...) move between versions, and every move is kept so that
 * {@link #rollback} can undo it.
 */
public final class ModelRegistry {

    /** The alias that serving uses when a request names only the model. */
    public static final String CHAMPION = "champion";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String NAME_RULE = "use 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
            + "starting with a letter or digit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REGISTER_ATTEMPTS = 3;

    private final Database db;

    ModelRegistry(Database db) {
        this.db = db;
    }

    /**
     * Copies {@code sourceDir} (recursively) to {@code modelsRoot/name/<version>/} and records it.
     * The copy is written to a temporary folder beside it and moved into place atomically; its files
     * are hashed (SHA-256) while being copied and then made read-only. The version is one more than
     * the highest registered for the name; the first version becomes the champion.
     */
    public ModelVersion register(String name, Path sourceDir, Path modelsRoot) {
        checkName(name, "model name");
        Path source = checkSource(name, sourceDir);
        if (modelsRoot == null) {
            throw new StoreException("no models folder given to register " + name + " into");
        }
        Path root = modelsRoot.toAbsolutePath().normalize();
        if (root.startsWith(source)) {
            throw new StoreException("cannot register " + source + ": the models folder " + root
                    + " lies inside it. Register a model folder that is outside the models folder.");
        }
        Path nameDir = root.resolve(name);
        Path incoming;
        try {
            Files.createDirectories(nameDir);
            incoming = Files.createTempDirectory(nameDir, ".incoming-");
        } catch (IOException e) {
            throw new StoreException("cannot create the folder " + nameDir + " for model " + name + ": " + e
                    + ". Check that the workspace is writable.", e);
        }
        try {
            SortedMap<String, FileHash> files = copyAndHash(source, incoming);
            makeReadOnly(incoming, files.keySet());
            long bytes = files.values().stream().mapToLong(FileHash::bytes).sum();
            String manifest = manifestDigest(files);
            Instant now = Instant.now();
            for (int attempt = 1; ; attempt++) {
                try {
                    return record(name, source, nameDir, incoming, files, bytes, manifest, now);
                } catch (StoreException e) {
                    boolean raced = e.getCause() instanceof SQLException s && Database.isUniqueViolation(s);
                    if (!raced || attempt == REGISTER_ATTEMPTS) {
                        throw e;
                    }
                    // another server registered a version of this name at the same moment: take the next one
                }
            }
        } finally {
            deleteRecursively(incoming);
        }
    }

    /** Inserts the version's rows and moves the copy into place, in one transaction. */
    private ModelVersion record(String name, Path source, Path nameDir, Path incoming, SortedMap<String, FileHash> files,
                                long bytes, String manifest, Instant now) {
        AtomicReference<Path> moved = new AtomicReference<>();
        try {
            return db.write("registering model " + name, c -> {
                int version = highestVersion(c, name) + 1;
                Path target = nameDir.resolve(Integer.toString(version));
                if (Files.exists(target)) {
                    throw new StoreException("the folder " + target + " already exists, but the registry has no version "
                            + version + " of " + name + " (left over from an interrupted registration?). "
                            + "Move it away, then register again.");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_versions "
                        + "(name, version, dir, sha256, bytes, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setInt(2, version);
                    ps.setString(3, target.toString());
                    ps.setString(4, manifest);
                    ps.setLong(5, bytes);
                    ps.setString(6, source.toString());
                    ps.setString(7, Timestamps.format(now));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO model_files (name, version, path, sha256, bytes) VALUES (?, ?, ?, ?, ?)")) {
                    for (Map.Entry<String, FileHash> f : files.entrySet()) {
                        ps.setString(1, name);
                        ps.setInt(2, version);
                        ps.setString(3, f.getKey());
                        ps.setString(4, f.getValue().sha256());
                        ps.setLong(5, f.getValue().bytes());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                if (version == 1) {
                    insertAlias(c, name, CHAMPION, version, now);
                }
                try {
                    Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new StoreException("cannot move the copy of model " + name + " into " + target + ": " + e, e);
                }
                moved.set(target);
                Map<String, String> hashes = new TreeMap<>();
                files.forEach((path, h) -> hashes.put(path, h.sha256()));
                return new ModelVersion(name, version, target, manifest, bytes, hashes, source.toString(), now);
            });
        } catch (RuntimeException e) {
            Path target = moved.get();
            if (target != null) { // the transaction failed after the move: put the copy back for cleaning up
                try {
                    Files.move(target, incoming, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    /** Every registered model name, sorted. */
    public List<String> names() {
        return db.read("listing models", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT name FROM model_versions ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                return List.copyOf(names);
            }
        });
    }

    /** The versions of a model, oldest first; empty for a name never registered. */
    public List<ModelVersion> versions(String name) {
        return db.read("listing versions of model " + name, c -> load(c, name, null));
    }

    public Optional<ModelVersion> version(String name, int version) {
        return db.read("reading model " + name + ":" + version, c -> load(c, name, version).stream().findFirst());
    }

    /** A model's aliases and the versions they point at, sorted by alias; empty for a name never registered. */
    public Map<String, Integer> aliases(String name) {
        return db.read("reading aliases of model " + name, c -> aliasesOf(c, name));
    }

    /**
     * Points {@code alias} at {@code version}, creating the alias if needed. The version it pointed
     * at before is pushed onto the alias's history, which {@link #rollback} pops.
     */
    public void setAlias(String name, String alias, int version) {
        checkName(alias, "alias");
        db.write("moving alias " + alias + " of model " + name, c -> {
            requireVersion(c, name, version);
            Integer current = lockAlias(c, name, alias);
            Instant now = Instant.now();
            if (current == null) {
                insertAlias(c, name, alias, version, now);
            } else if (current != version) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_alias_history "
                        + "(name, alias, depth, version, moved_at) VALUES (?, ?, "
                        + "(SELECT COALESCE(MAX(depth), 0) + 1 FROM model_alias_history WHERE name = ? AND alias = ?), ?, ?)")) {
                    ps.setString(1, name);
                    ps.setString(2, alias);
                    ps.setString(3, name);
                    ps.setString(4, alias);
                    ps.setInt(5, current);
                    ps.setString(6, Timestamps.format(now));
                    ps.executeUpdate();
                }
                updateAlias(c, name, alias, version, now);
            }
            return null;
        });
    }

    /**
     * Moves the champion back to the version it pointed at before its last move and returns that
     * version. The history is a stack: rolling back twice goes back two moves.
     */
    public ModelVersion rollback(String name) {
        return db.write("rolling back the champion of model " + name, c -> {
            requireName(c, name);
            Integer current = lockAlias(c, name, CHAMPION);
            int depth;
            int previous;
            try (PreparedStatement ps = c.prepareStatement("SELECT depth, version FROM model_alias_history "
                    + "WHERE name = ? AND alias = ? ORDER BY depth DESC LIMIT 1")) {
                ps.setString(1, name);
                ps.setString(2, CHAMPION);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StoreException("model " + name + " has no earlier champion to roll back to: "
                                + (current == null ? "it has no champion" : "its champion has always been version " + current)
                                + ". Use setAlias to point the champion at another version.");
                    }
                    depth = rs.getInt(1);
                    previous = rs.getInt(2);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM model_alias_history WHERE name = ? AND alias = ? AND depth = ?")) {
                ps.setString(1, name);
                ps.setString(2, CHAMPION);
                ps.setInt(3, depth);
                ps.executeUpdate();
            }
            if (current == null) {
                insertAlias(c, name, CHAMPION, previous, Instant.now());
            } else {
                updateAlias(c, name, CHAMPION, previous, Instant.now());
            }
            return load(c, name, previous).getFirst();
        });
    }

    /**
     * Finds the version a reference means: {@code name} (its champion), {@code name@alias} or
     * {@code name:3}.
     */
    public ModelVersion resolve(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new StoreException("no model given: name one as name, name@alias or name:version");
        }
        String text = ref.strip();
        int at = text.indexOf('@');
        int colon = text.indexOf(':');
        String name;
        String alias = null;
        Integer version = null;
        if (at >= 0) {
            name = text.substring(0, at);
            alias = text.substring(at + 1);
        } else if (colon >= 0) {
            name = text.substring(0, colon);
            String number = text.substring(colon + 1);
            try {
                version = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new StoreException("cannot read the model reference '" + ref + "': after ':' comes a version "
                        + "number (name:3); use name@" + number + " for an alias");
            }
        } else {
            name = text;
            alias = CHAMPION;
        }
        String wantedAlias = alias;
        Integer wantedVersion = version;
        return db.read("resolving model " + text, c -> {
            requireName(c, name);
            if (wantedVersion != null) {
                return requireVersion(c, name, wantedVersion);
            }
            Map<String, Integer> aliases = aliasesOf(c, name);
            Integer v = aliases.get(wantedAlias);
            if (v == null) {
                throw new NotFoundException("model " + name + " has no alias '" + wantedAlias + "'; "
                        + (aliases.isEmpty() ? "it has no aliases" : "its aliases are " + aliases.entrySet().stream()
                        .map(e -> e.getKey() + " (version " + e.getValue() + ")").collect(Collectors.joining(", "))));
            }
            return load(c, name, v).getFirst();
        });
    }

    /**
     * Hashes the files in the version's folder again and compares them with those registered; a
     * {@link StoreException} names the first file, in path order, that is missing, extra or changed.
     */
    public void verify(ModelVersion v) {
        if (!Files.isDirectory(v.dir())) {
            throw new StoreException("the folder of model " + v.ref() + ", " + v.dir()
                    + ", is missing. Restore it from a backup or register the model again.");
        }
        SortedMap<String, Path> onDisk = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(v.dir())) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isDirectory(p)) {
                    onDisk.put(relative(v.dir(), p), p);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the folder of model " + v.ref() + ", " + v.dir() + ": " + e, e);
        }
        TreeSet<String> all = new TreeSet<>(v.files().keySet());
        all.addAll(onDisk.keySet());
        String fix = ". Restore the file or register the model again from its source.";
        for (String path : all) {
            String expected = v.files().get(path);
            Path file = onDisk.get(path);
            if (file == null) {
                throw new StoreException("model " + v.ref() + " in " + v.dir() + ": file " + path + " is missing" + fix);
            }
            if (expected == null) {
                throw new StoreException("model " + v.ref() + " in " + v.dir() + ": file " + path
                        + " is extra (it was not there when the model was registered)"
                        + ". Remove it or register the model again from its source.");
            }
            String actual = hashOf(file);
            if (!actual.equals(expected)) {
                throw new StoreException("model " + v.ref() + " in " + v.dir() + ": file " + path
                        + " was changed (SHA-256 " + actual + ", registered " + expected + ")" + fix);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private record FileHash(String sha256, long bytes) {
    }

    private static void checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new StoreException("bad " + what + " '" + name + "': " + NAME_RULE);
        }
    }

    private static Path checkSource(String name, Path sourceDir) {
        if (sourceDir == null || !Files.isDirectory(sourceDir)) {
            throw new StoreException("cannot register model " + name + " from " + sourceDir
                    + ": it is not a folder. Give the folder that holds config.json and the weights.");
        }
        Path source;
        try {
            source = sourceDir.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot read the model folder " + sourceDir + ": " + e, e);
        }
        Path config = source.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new StoreException("cannot register model " + name + " from " + source
                    + ": it has no config.json. A model folder holds config.json, the weights and the tokenizer.");
        }
        try {
            JsonNode node = JSON.readTree(StoredFiles.readAllBytes(config)); // plain or encrypted at rest
            if (node == null || !node.isObject()) {
                throw new StoreException("cannot register model " + name + ": " + config + " is not a JSON object");
            }
        } catch (JacksonException e) {
            throw new StoreException("cannot register model " + name + ": " + config + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + config + ": " + e, e);
        }
        return source;
    }

    private static SortedMap<String, FileHash> copyAndHash(Path source, Path target) {
        SortedMap<String, FileHash> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p) && Files.isDirectory(p)) {
                    throw new StoreException("cannot register " + source + ": " + p + " is a link to a folder. "
                            + "Replace it with the folder itself.");
                }
                if (Files.isDirectory(p)) {
                    continue;
                }
                if (!Files.isRegularFile(p)) {
                    throw new StoreException("cannot register " + source + ": " + p + " is not a regular file");
                }
                String rel = relative(source, p);
                Path dst = target.resolve(rel);
                Files.createDirectories(dst.getParent());
                files.put(rel, copy(p, dst));
            }
        } catch (IOException e) {
            throw new StoreException("cannot copy the model folder " + source + " to " + target + ": " + e
                    + ". Check that there is room and that the workspace is writable.", e);
        }
        return files;
    }

    private static FileHash copy(Path from, Path to) throws IOException {
        MessageDigest digest = Sha256.digest();
        long bytes = 0;
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                bytes += n;
            }
        }
        return new FileHash(Sha256.hex(digest), bytes);
    }

    private static String hashOf(Path file) {
        MessageDigest digest = Sha256.digest();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e, e);
        }
        return Sha256.hex(digest);
    }

    /** SHA-256 of the {@code sha256sum}-style manifest: {@code "<sha256>  <path>\n"} per file, in path order. */
    private static String manifestDigest(SortedMap<String, FileHash> files) {
        StringBuilder manifest = new StringBuilder();
        files.forEach((path, h) -> manifest.append(h.sha256()).append("  ").append(path).append('\n'));
        return Sha256.hex(manifest.toString());
    }

    private static void makeReadOnly(Path dir, Iterable<String> files) {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            for (String rel : files) {
                Path f = dir.resolve(rel);
                if (posix) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
                } else if (!f.toFile().setWritable(false)) {
                    throw new IOException("cannot clear the write permission of " + f);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot make the copied model files read-only in " + dir + ": " + e, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Library code never prints: a leftover ".incoming-" folder is harmless and named like one.
        }
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(File.separatorChar, '/');
    }

    private static int highestVersion(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM model_versions WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0; // MAX of no rows is NULL, which getInt reads as 0
            }
        }
    }

    private static List<ModelVersion> load(Connection c, String name, Integer version) throws SQLException {
        String where = version == null ? "name = ?" : "name = ? AND version = ?";
        Map<Integer, Map<String, String>> files = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version, path, sha256 FROM model_files WHERE " + where + " ORDER BY version, path")) {
            bind(ps, name, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    files.computeIfAbsent(rs.getInt(1), v -> new TreeMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
        }
        List<ModelVersion> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, version, dir, sha256, bytes, source, created_at "
                + "FROM model_versions WHERE " + where + " ORDER BY version")) {
            bind(ps, name, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int v = rs.getInt("version");
                    versions.add(new ModelVersion(rs.getString("name"), v, Path.of(rs.getString("dir")),
                            rs.getString("sha256"), rs.getLong("bytes"), files.getOrDefault(v, Map.of()),
                            rs.getString("source"), Timestamps.parse(rs.getString("created_at"))));
                }
            }
        }
        return List.copyOf(versions);
    }

    private static void bind(PreparedStatement ps, String name, Integer version) throws SQLException {
        ps.setString(1, name);
        if (version != null) {
            ps.setInt(2, version);
        }
    }

    private static Map<String, Integer> aliasesOf(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Integer> aliases = new LinkedHashMap<>();
                while (rs.next()) {
                    aliases.put(rs.getString(1), rs.getInt(2));
                }
                return Collections.unmodifiableMap(aliases);
            }
        }
    }

    /** Touches the alias row so that this transaction holds it; returns the version it points at, or null. */
    private static Integer lockAlias(Connection c, String name, String alias) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE model_aliases SET version = version WHERE name = ? AND alias = ?")) {
            ps.setString(1, name);
            ps.setString(2, alias);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM model_aliases WHERE name = ? AND alias = ?")) {
            ps.setString(1, name);
            ps.setString(2, alias);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    private static void insertAlias(Connection c, String name, String alias, int version, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO model_aliases (name, alias, version, updated_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, alias);
            ps.setInt(3, version);
            ps.setString(4, Timestamps.format(now));
            ps.executeUpdate();
        }
    }

    private static void updateAlias(Connection c, String name, String alias, int version, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE model_aliases SET version = ?, updated_at = ? WHERE name = ? AND alias = ?")) {
            ps.setInt(1, version);
            ps.setString(2, Timestamps.format(now));
            ps.setString(3, name);
            ps.setString(4, alias);
            ps.executeUpdate();
        }
    }

    private static void requireName(Connection c, String name) throws SQLException {
        if (highestVersion(c, name) > 0) {
            return;
        }
        List<String> known = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT name FROM model_versions ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                known.add(rs.getString(1));
            }
        }
        throw new NotFoundException("unknown model '" + name + "': " + (known.isEmpty()
                ? "no models are registered yet; register one first"
                : "known models are " + String.join(", ", known)));
    }

    private static ModelVersion requireVersion(Connection c, String name, int version) throws SQLException {
        requireName(c, name);
        List<ModelVersion> found = load(c, name, version);
        if (!found.isEmpty()) {
            return found.getFirst();
        }
        int highest = highestVersion(c, name);
        throw new NotFoundException("model " + name + " has no version " + version + "; its versions are "
                + (highest == 1 ? "1" : "1 to " + highest));
    }
}
