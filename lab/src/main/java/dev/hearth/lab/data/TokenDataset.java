package dev.hearth.lab.data;

import dev.hearth.engine.io.StoredFiles;
import dev.hearth.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prepared dataset folder, opened for training: the manifest checked, every shard present and
 * of the size its token count says, and memory-mapped (with FFM, so shards and splits may be
 * larger than 2 GB and than memory). A dataset encrypted at rest (docs/encryption.md) opens the
 * same way when its key is set; its shards are then decrypted into memory, not mapped.
 * Thread-safe for reads; {@link #close()} unmaps the shards, after which the splits must not be used.
 *
 * <pre>{@code
 * try (TokenDataset data = TokenDataset.open(Path.of(".hearth/datasets/shakespeare"))) {
 *     TokenSplit train = data.split("train");
 *     int[] window = new int[257];
 *     train.read(12_345, window, 0, window.length);
 *     String text = data.tokenizer().decode(window);
 * }
 * }</pre>
 */
public final class TokenDataset implements AutoCloseable {
    private final Path dir;
    private final DatasetManifest manifest;
    private final String manifestSha256;
    private final Arena arena;
    private final Map<String, TokenSplit> splits;
    private volatile Tokenizer tokenizer;

    private TokenDataset(Path dir, DatasetManifest manifest, String manifestSha256, Arena arena,
            Map<String, TokenSplit> splits) {
        this.dir = dir;
        this.manifest = manifest;
        this.manifestSha256 = manifestSha256;
        this.arena = arena;
        this.splits = splits;
    }

    /**
     * Opens the dataset in {@code dir}.
     *
     * @throws DatasetException naming the file when the manifest is missing, unreadable or of
     *     another format version, or a shard or {@code tokenizer.json} is missing or of the wrong size
     */
    public static TokenDataset open(Path dir) {
        Path file = dir.resolve(DatasetManifest.FILE);
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("the dataset folder " + dir + " does not exist; prepare it with"
                    + " 'hearth data prepare'");
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(dir + " has no " + DatasetManifest.FILE + ": it is not a dataset, or its"
                    + " preparation did not finish; prepare it (again) with 'hearth data prepare'");
        }
        byte[] json;
        try {
            json = StoredFiles.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e, e);
        }
        DatasetManifest m = DatasetManifest.parse(json, file);
        int bytesPerToken = validate(m, file);
        if (!Files.isRegularFile(dir.resolve(m.tokenizer().file()))) {
            throw new DatasetException(dir.resolve(m.tokenizer().file()) + " is missing; the dataset is incomplete:"
                    + " prepare it again");
        }
        Arena arena = Arena.ofShared();
        try {
            Map<String, TokenSplit> splits = new LinkedHashMap<>();
            for (Map.Entry<String, DatasetManifest.Split> e : m.splits().entrySet()) {
                List<MemorySegment> segments = new ArrayList<>();
                List<Long> tokens = new ArrayList<>();
                for (DatasetManifest.Shard shard : e.getValue().shards()) {
                    Path p = dir.resolve(shard.file());
                    segments.add(map(p, shard.tokens() * bytesPerToken, arena));
                    tokens.add(shard.tokens());
                }
                splits.put(e.getKey(), new TokenSplit(e.getKey(), segments, tokens, bytesPerToken,
                        e.getValue().documents()));
            }
            return new TokenDataset(dir, m, Sha256.ofBytes(json), arena, splits);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Checks what the manifest says of itself; returns the bytes per id. */
    private static int validate(DatasetManifest m, Path file) {
        if (m.tokenizer() == null || m.tokenizer().file() == null) {
            throw new DatasetException(file + ": tokenizer.file is missing; prepare the dataset again");
        }
        if (m.splits() == null || !m.splits().containsKey("train") || !m.splits().containsKey("val")) {
            throw new DatasetException(file + ": splits.train and splits.val are required; prepare the dataset"
                    + " again");
        }
        int bytesPerToken;
        if ("uint16".equals(m.dtype())) {
            bytesPerToken = 2;
        } else if ("uint32".equals(m.dtype())) {
            bytesPerToken = 4;
        } else {
            throw new DatasetException(file + ": dtype is '" + m.dtype() + "', neither uint16 nor uint32");
        }
        for (Map.Entry<String, DatasetManifest.Split> e : m.splits().entrySet()) {
            DatasetManifest.Split split = e.getValue();
            if (split == null || split.shards() == null) {
                throw new DatasetException(file + ": splits." + e.getKey() + ".shards is missing; prepare the dataset"
                        + " again");
            }
            long sum = 0;
            for (DatasetManifest.Shard shard : split.shards()) {
                if (shard.file() == null || shard.file().contains("/") || shard.file().contains("\\")
                        || shard.tokens() < 0) {
                    throw new DatasetException(file + ": splits." + e.getKey() + " has a bad shard entry " + shard);
                }
                sum += shard.tokens();
            }
            if (sum != split.tokens()) {
                throw new DatasetException(file + ": splits." + e.getKey() + ".tokens is " + split.tokens()
                        + " but its shards hold " + sum + "; the manifest is damaged: prepare the dataset again");
            }
        }
        return bytesPerToken;
    }

    private static MemorySegment map(Path p, long expectedBytes, Arena arena) {
        if (!Files.isRegularFile(p)) {
            throw new DatasetException("the shard " + p + " is missing; the dataset is incomplete: prepare it again");
        }
        try {
            long size = StoredFiles.size(p);
            if (size != expectedBytes) {
                throw new DatasetException("the shard " + p + " holds " + size + " bytes but the manifest says "
                        + expectedBytes + " (" + (size < expectedBytes ? "cut short" : "too long")
                        + "); the dataset is damaged: prepare it again");
            }
            return StoredFiles.map(p, arena); // mapped, or decrypted into memory if encrypted at rest
        } catch (IOException e) {
            throw new DatasetException("cannot map the shard " + p + ": " + e, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public DatasetManifest manifest() {
        return manifest;
    }

    /** SHA-256 of {@code manifest.json} as read: names this exact dataset in a run's provenance. */
    public String manifestSha256() {
        return manifestSha256;
    }

    /** The tokenizer of {@code tokenizer.json}, read on first use. */
    public Tokenizer tokenizer() {
        Tokenizer t = tokenizer;
        if (t == null) {
            synchronized (this) {
                t = tokenizer;
                if (t == null) {
                    t = Tokenizer.load(dir.resolve(manifest.tokenizer().file()));
                    tokenizer = t;
                }
            }
        }
        return t;
    }

    /** The id written after every document, or null when there is none. */
    public Integer separatorId() {
        return manifest.separatorId();
    }

    /** {@code train} or {@code val}. */
    public TokenSplit split(String name) {
        TokenSplit s = splits.get(name);
        if (s == null) {
            throw new DatasetException(dir + " has no split '" + name + "'; it has " + splits.keySet());
        }
        return s;
    }

    /**
     * Hashes every shard and {@code tokenizer.json} again and compares with the manifest.
     *
     * @throws DatasetException naming the first file whose SHA-256 differs
     */
    public void verify() {
        Path tok = dir.resolve(manifest.tokenizer().file());
        try {
            if (!plainSha256(tok).equals(manifest.tokenizer().sha256())) {
                throw new DatasetException(tok + " is not the file the dataset was prepared with (its SHA-256"
                        + " differs); prepare the dataset again");
            }
        } catch (IOException e) {
            throw new DatasetException("cannot read " + tok + ": " + e, e);
        }
        for (Map.Entry<String, DatasetManifest.Split> e : manifest.splits().entrySet()) {
            for (DatasetManifest.Shard shard : e.getValue().shards()) {
                Path p = dir.resolve(shard.file());
                String sha;
                try {
                    sha = plainSha256(p);
                } catch (IOException ex) {
                    throw new DatasetException("cannot read " + p + ": " + ex, ex);
                }
                if (!sha.equals(shard.sha256())) {
                    throw new DatasetException("the shard " + p + " has changed since it was written (its SHA-256"
                            + " differs from the manifest's); prepare the dataset again");
                }
            }
        }
    }

    /** SHA-256 of the plain bytes of {@code file} (decrypted if it is encrypted at rest), as the manifest records. */
    private static String plainSha256(Path file) throws IOException {
        MessageDigest d = Sha256.newDigest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = StoredFiles.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return Sha256.hex(d);
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "TokenDataset[" + dir + ", " + splits.values() + "]";
    }
}
