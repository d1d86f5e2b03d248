package dev.hearth.guard.crypto;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens the segments of one file with AES-256-GCM under its data key: the STREAM
 * construction (Hoang, Reyhanitabar, Rogaway and Vizár, 2015). Segment {@code i}'s 96-bit nonce
 * is the file's 7-byte prefix, then {@code i} as 4 big-endian bytes, then 1 for the last segment
 * and 0 for the others; its associated data is the file part of the header. So a segment opens
 * only at its own place, in its own file, under its own header, and only the true last segment
 * opens as the last: reordering, truncating, appending and editing the header all fail a tag.
 * Not thread-safe.
 */
final class SegmentCipher {
    /** Segment indexes are 4 bytes in the nonce. */
    static final long MAX_SEGMENTS = 1L << 32;

    private final SecretKeySpec key;
    private final byte[] aad;
    private final byte[] nonce = new byte[12];
    private final Cipher cipher;

    SegmentCipher(byte[] dataKey, EnvelopeHeader header) {
        this.key = new SecretKeySpec(dataKey, "AES");
        this.aad = header.filePart();
        System.arraycopy(header.noncePrefix(), 0, nonce, 0, EnvelopeHeader.NONCE_PREFIX_BYTES);
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is missing from this JDK", e);
        }
    }

    /** Encrypts {@code plain} (all its remaining bytes) as segment {@code index} into {@code out}. */
    void seal(long index, boolean last, ByteBuffer plain, ByteBuffer out) {
        try {
            init(Cipher.ENCRYPT_MODE, index, last);
            cipher.doFinal(plain, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed to encrypt: " + e, e);
        }
    }

    /**
     * Decrypts {@code sealed} (all its remaining bytes) as segment {@code index} into {@code out}.
     *
     * @throws IntegrityException naming {@code file} and the segment when its tag does not match
     */
    void open(long index, boolean last, ByteBuffer sealed, ByteBuffer out, Path file, long segments) {
        try {
            init(Cipher.DECRYPT_MODE, index, last);
            cipher.doFinal(sealed, out);
        } catch (AEADBadTagException e) {
            throw EnvelopeHeader.corrupt(file, "segment " + (index + 1) + " of " + segments + " fails its authentication check"
                    + (last ? "; the file may also have been cut short or extended" : ""));
        } catch (ShortBufferException e) {
            throw new IllegalStateException("segment buffer too small: " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed to decrypt: " + e, e);
        }
    }

    private void init(int mode, long index, boolean last) throws GeneralSecurityException {
        if (index < 0 || index >= MAX_SEGMENTS) {
            throw new IllegalArgumentException("segment index " + index + " is outside the format's 2^32 segments");
        }
        nonce[7] = (byte) (index >>> 24);
        nonce[8] = (byte) (index >>> 16);
        nonce[9] = (byte) (index >>> 8);
        nonce[10] = (byte) index;
        nonce[11] = (byte) (last ? 1 : 0);
        cipher.init(mode, key, new GCMParameterSpec(EnvelopeHeader.TAG_BYTES * 8, nonce));
        cipher.updateAAD(aad);
    }
}
