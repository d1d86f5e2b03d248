package dev.hearth.guard.crypto;

import java.nio.file.Path;

/**
 * What an encrypted file's header and size say, readable without its key.
 *
 * @param keyId       the id of the master key its data key is wrapped under
 * @param segmentSize plain bytes per segment
 * @param segments    the number of segments
 * @param plainSize   the plain bytes it holds
 * @param fileSize    its size on disk
 */
public record EnvelopeInfo(Path file, String keyId, int segmentSize, long segments, long plainSize, long fileSize) {
}
