package dev.hearth.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One registered version of a model: a read-only copy of its folder and the hashes of its files.
 *
 * @param dir    the copy, {@code models/<name>/<version>/}
 * @param sha256 the digest of the manifest: SHA-256 of the lines {@code "<sha256>  <path>\n"} for
 *               every file in path order (the format of {@code sha256sum})
 * @param bytes  the size of all files together
 * @param files  each file's path relative to {@code dir} ('/'-separated) and its SHA-256 hex, sorted
 * @param source the folder it was copied from
 */
public record ModelVersion(String name, int version, Path dir, String sha256, long bytes, Map<String, String> files,
                           String source, Instant createdAt) {

    public ModelVersion {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** {@code name:version}, the form {@link ModelRegistry#resolve} reads. */
    public String ref() {
        return name + ":" + version;
    }
}
