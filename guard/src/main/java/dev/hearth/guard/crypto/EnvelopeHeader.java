package dev.hearth.guard.crypto;

import dev.hearth.engine.io.StoredFiles;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fixed-size header of a file encrypted at rest, format version 1 (docs/encryption.md).
 * All integers are big-endian.
 *
 * <pre>
 * offset size
 *    0    8   magic 89 48 45 4E 43 0D 0A 1A ("\x89HENC\r\n\x1a")
 *    8    2   format version: 1
 *   10    2   header size: 92
 *   12    4   segment size: plain bytes per segment (4 KiB to 64 MiB; 1 MiB by default)
 *   16    7   nonce prefix, random per file
 *   23    1   reserved: 0
 *   ---- bytes 0..24, the file part: associated data of every segment; never changes ----
 *   24    8   id of the master key that wraps the data key
 *   32   12   nonce of the wrap, random per wrap
 *   44   48   the 32-byte data key sealed with AES-256-GCM (ciphertext, then the 16-byte tag) under
 *             the master key's wrapping key, with bytes 0..32 as associated data
 *   ---- bytes 24..92, the key slot: the only bytes a rotation rewrites ----
 * </pre>
 *
 * Immutable.
 */
final class EnvelopeHeader {
    static final int SIZE = 92;
    static final int VERSION = 1;
    /** Bytes 0..24: the part bound into every segment. */
    static final int FILE_PART = 24;
    /** Bytes 24..92: the part a rotation rewrites. */
    static final int KEY_SLOT = SIZE - FILE_PART;
    static final int DEFAULT_SEGMENT_SIZE = 1 << 20;
    static final int MIN_SEGMENT_SIZE = 1 << 12;
    static final int MAX_SEGMENT_SIZE = 1 << 26;
    static final int NONCE_PREFIX_BYTES = 7;
    static final int KEY_ID_BYTES = 8;
    static final int DATA_KEY_BYTES = 32;
    static final int TAG_BYTES = 16;
    private static final int WRAP_NONCE_BYTES = 12;
    private static final int WRAPPED_KEY_BYTES = DATA_KEY_BYTES + TAG_BYTES;
    /** The purpose of the key, derived from the master key, that wraps data keys. */
    private static final String WRAP_PURPOSE = "hearth crypt: data-key wrapping v1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private EnvelopeHeader(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A header for a new file: a fresh nonce prefix and {@code dataKey} wrapped under {@code key}. */
    static EnvelopeHeader create(int segmentSize, byte[] dataKey, MasterKey key) {
        checkSegmentSize(segmentSize);
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(StoredFiles.magic()).putShort((short) VERSION).putShort((short) SIZE).putInt(segmentSize);
        byte[] prefix = new byte[NONCE_PREFIX_BYTES];
        RANDOM.nextBytes(prefix);
        b.put(prefix).put((byte) 0);
        return new EnvelopeHeader(b.array()).withKey(dataKey, key);
    }

    static void checkSegmentSize(int segmentSize) {
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is outside " + MIN_SEGMENT_SIZE + ".."
                    + MAX_SEGMENT_SIZE);
        }
    }

    /**
     * Reads a header from a file's first {@link #SIZE} bytes (fewer when the file is shorter).
     *
     * @throws IntegrityException when they are not a version-1 header
     */
    static EnvelopeHeader parse(byte[] head, Path file) {
        if (!StoredFiles.startsWithMagic(head)) {
            throw new EncryptionException(file + " is not encrypted (it does not start with the encrypted-file magic)");
        }
        if (head.length < FILE_PART) {
            throw corrupt(file, "it ends inside its header (" + head.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int version = Short.toUnsignedInt(b.getShort(8));
        if (version != VERSION) {
            throw new EncryptionException(file + " is in encrypted-file format version " + version + ", and this Hearth"
                    + " reads version " + VERSION + " only: read it with the Hearth that wrote it, or a newer one");
        }
        int size = Short.toUnsignedInt(b.getShort(10));
        if (size != SIZE) {
            throw corrupt(file, "its header gives a header size of " + size + " bytes instead of " + SIZE);
        }
        if (head.length < SIZE) {
            throw corrupt(file, "it ends inside its header (" + head.length + " of " + SIZE + " bytes)");
        }
        int segmentSize = b.getInt(12);
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw corrupt(file, "its header gives a segment size of " + Integer.toUnsignedString(segmentSize)
                    + " bytes, outside " + MIN_SEGMENT_SIZE + ".." + MAX_SEGMENT_SIZE);
        }
        if (head[23] != 0) {
            throw corrupt(file, "its header's reserved byte is not 0");
        }
        return new EnvelopeHeader(Arrays.copyOf(head, SIZE));
    }

    static IntegrityException corrupt(Path file, String why) {
        return new IntegrityException("file " + file + " was modified or is corrupt (" + why + "): do not trust it;"
                + " restore it from a backup");
    }

    /** The header as stored. */
    byte[] bytes() {
        return bytes.clone();
    }

    /** Bytes 0..24, the associated data of every segment. */
    byte[] filePart() {
        return Arrays.copyOf(bytes, FILE_PART);
    }

    /** Bytes 24..92, the key slot. */
    byte[] keySlot() {
        return Arrays.copyOfRange(bytes, FILE_PART, SIZE);
    }

    int segmentSize() {
        return ByteBuffer.wrap(bytes).getInt(12);
    }

    byte[] noncePrefix() {
        return Arrays.copyOfRange(bytes, 16, 16 + NONCE_PREFIX_BYTES);
    }

    /** The id of the master key the data key is wrapped under, as {@link MasterKey#id()} writes it. */
    String keyId() {
        return HexFormat.of().formatHex(bytes, FILE_PART, FILE_PART + KEY_ID_BYTES);
    }

    /** This header with {@code dataKey} wrapped under {@code key} (a fresh wrap nonce); the file part kept. */
    EnvelopeHeader withKey(byte[] dataKey, MasterKey key) {
        byte[] out = bytes.clone();
        System.arraycopy(key.idBytes(), 0, out, FILE_PART, KEY_ID_BYTES);
        byte[] nonce = new byte[WRAP_NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 32, WRAP_NONCE_BYTES);
        try {
            Cipher c = wrapCipher(Cipher.ENCRYPT_MODE, key, nonce);
            c.updateAAD(out, 0, 32);
            int n = c.doFinal(dataKey, 0, dataKey.length, out, 44);
            if (n != WRAPPED_KEY_BYTES) {
                throw new IllegalStateException("AES-GCM wrapped a 32-byte key into " + n + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is missing from this JDK", e);
        }
        return new EnvelopeHeader(out);
    }

    /**
     * The data key, unwrapped with {@code key}.
     *
     * @throws KeyException when the file is under another master key
     * @throws IntegrityException when the key slot or the file part was modified
     */
    byte[] dataKey(MasterKey key, Path file) {
        if (!keyId().equals(key.id())) {
            throw new KeyException(file + " is encrypted under the master key with id " + keyId() + ", but the key"
                    + " given has id " + key.id() + ": give the key with id " + keyId()
                    + " (HEARTH_MASTER_KEY, HEARTH_KEY_FILE or --key-file)");
        }
        try {
            Cipher c = wrapCipher(Cipher.DECRYPT_MODE, key, Arrays.copyOfRange(bytes, 32, 44));
            c.updateAAD(bytes, 0, 32);
            return c.doFinal(bytes, 44, WRAPPED_KEY_BYTES);
        } catch (AEADBadTagException e) {
            throw corrupt(file, "its header fails its authentication check");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is missing from this JDK", e);
        }
    }

    private static Cipher wrapCipher(int mode, MasterKey key, byte[] nonce) throws GeneralSecurityException {
        byte[] kek = key.derive(WRAP_PURPOSE);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            return c;
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }
}
