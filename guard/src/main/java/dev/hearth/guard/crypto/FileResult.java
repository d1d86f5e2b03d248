package dev.hearth.guard.crypto;

import java.nio.file.Path;

/**
 * What was done to one file.
 *
 * @param file       the file worked on
 * @param target     where the result went: {@code file} itself when in place
 * @param action     what was done, or why nothing was
 * @param plainBytes the file's plain bytes
 * @param keyId      the id of the master key the file is under afterwards (null when it is plain)
 */
public record FileResult(Path file, Path target, Action action, long plainBytes, String keyId) {

    public enum Action {
        ENCRYPTED("encrypted"),
        DECRYPTED("decrypted"),
        ROTATED("rotated"),
        /** Encrypting found it encrypted already: left as it was (never encrypted twice). */
        ALREADY_ENCRYPTED("already encrypted"),
        /** Decrypting or rotating found it plain. */
        NOT_ENCRYPTED("not encrypted"),
        /** Rotating found it under the new key already. */
        ALREADY_ROTATED("already under the new key");

        private final String words;

        Action(String words) {
            this.words = words;
        }

        /** "encrypted", "already encrypted", ... */
        public String words() {
            return words;
        }

        /** Whether the file was changed (or written to a target). */
        public boolean changed() {
            return this == ENCRYPTED || this == DECRYPTED || this == ROTATED;
        }
    }
}
