package dev.hearth.guard.crypto;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 256-bit master key, read from {@code HEARTH_MASTER_KEY} (base64 or hex) or from a key file
 * (named by {@code --key-file}, the system property {@code hearth.key.file} or {@code HEARTH_KEY_FILE}).
 * The master key never encrypts data itself: it wraps per-file data keys and derives the keys of
 * narrower purposes ({@link #derive}), so that one purpose's key never serves another.
 */
public final class MasterKey {
    /** The environment variable a master key is read from. */
    public static final String ENV = "HEARTH_MASTER_KEY";
    /** The environment variable naming a key file. */
    public static final String FILE_ENV = "HEARTH_KEY_FILE";
    /** The system property naming a key file; where it is set it stands for {@code --key-file}. */
    public static final String FILE_PROPERTY = "hearth.key.file";
    public static final int BYTES = 32;

    private final byte[] key;

    private MasterKey(byte[] key) {
        if (key.length != BYTES) {
            throw new KeyException("a master key must be " + BYTES + " bytes (256 bits); this one is "
                    + key.length + " bytes. Make one with `hearth crypt keygen`");
        }
        this.key = key.clone();
    }

    public static MasterKey of(byte[] key) {
        return new MasterKey(key);
    }

    /** A fresh random key. */
    public static MasterKey generate() {
        byte[] k = new byte[BYTES];
        new SecureRandom().nextBytes(k);
        return new MasterKey(k);
    }

    /** Parses base64 (standard or URL-safe) or hex text, as written by {@link #encoded()}. */
    public static MasterKey parse(String text, String where) {
        String t = text.strip();
        byte[] k = null;
        if (t.length() == 2 * BYTES && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            k = HexFormat.of().parseHex(t);
        } else {
            try {
                k = Base64.getDecoder().decode(t);
            } catch (IllegalArgumentException notStandard) {
                try {
                    k = Base64.getUrlDecoder().decode(t);
                } catch (IllegalArgumentException notUrl) {
                    throw new KeyException(where + " is neither base64 nor hex; a master key is 32 bytes "
                            + "written as base64 (44 characters) or hex (64). Make one with `hearth crypt keygen`");
                }
            }
        }
        try {
            return new MasterKey(k);
        } catch (KeyException e) {
            throw new KeyException(where + ": " + e.getMessage());
        }
    }

    /** Reads a key file written by {@link #write}. */
    public static MasterKey read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII), "key file " + file);
        } catch (IOException e) {
            throw new KeyException("cannot read the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key from {@code keyFile} when given, else from {@code HEARTH_MASTER_KEY} or the file named
     * by {@code HEARTH_KEY_FILE} in {@code env} (both set is an error: which one is meant is not
     * guessed); empty when none is set.
     */
    public static Optional<MasterKey> find(Path keyFile, Map<String, String> env) {
        if (keyFile != null) {
            return Optional.of(read(keyFile));
        }
        String v = env.get(ENV);
        String f = env.get(FILE_ENV);
        boolean hasValue = v != null && !v.isBlank();
        boolean hasFile = f != null && !f.isBlank();
        if (hasValue && hasFile) {
            throw new KeyException("both " + ENV + " and " + FILE_ENV + " are set; unset one of them so that it is"
                    + " clear which master key is meant");
        }
        if (hasFile) {
            return Optional.of(read(Path.of(f.strip())));
        }
        return hasValue ? Optional.of(parse(v, ENV)) : Optional.empty();
    }

    /**
     * The key for this process: from the file named by the system property {@code hearth.key.file}
     * when it is set, else as {@link #find} finds it in the environment.
     */
    public static Optional<MasterKey> fromEnvironment() {
        String file = System.getProperty(FILE_PROPERTY);
        return find(file == null || file.isBlank() ? null : Path.of(file.strip()), System.getenv());
    }

    /** As {@link #find} but failing with a message that says how to supply a key. */
    public static MasterKey require(Path keyFile, Map<String, String> env, String forWhat) {
        return find(keyFile, env).orElseThrow(() -> new KeyException(forWhat + " needs a master key: set "
                + ENV + " (base64 of 32 bytes) or " + FILE_ENV + " (a key file), or pass --key-file FILE. Make one"
                + " with `hearth crypt keygen`"));
    }

    /** Writes the key as base64 to a new file readable only by its owner (where the file system allows). */
    public void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, encoded() + "\n", StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the ACL of the folder applies.
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new KeyException("the key file " + file + " already exists; it is never overwritten");
        } catch (IOException e) {
            throw new KeyException("cannot write the key file " + file + ": " + e.getMessage(), e);
        }
    }

    public String encoded() {
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * A 256-bit key for one purpose, HKDF-Expand (RFC 5869) of the master key with the purpose as
     * info: different purposes give independent keys, and none reveals the master key.
     */
    public byte[] derive(String purpose) {
        return hmac(key, (purpose + "\u0001").getBytes(StandardCharsets.UTF_8));
    }

    /** A short public identifier of the key (not secret), recorded beside what it wrapped. */
    public String id() {
        return HexFormat.of().formatHex(idBytes());
    }

    /** The 8 bytes behind {@link #id()}. */
    byte[] idBytes() {
        return Arrays.copyOf(derive("hearth key id"), 8);
    }

    /** The raw key, for wrapping data keys. Callers must not keep or log it. */
    public byte[] bytes() {
        return key.clone();
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "MasterKey[id=" + id() + "]";
    }
}
