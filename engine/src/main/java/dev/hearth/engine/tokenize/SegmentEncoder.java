package dev.hearth.engine.tokenize;

/** Encodes one stretch of normalized text that holds no added token: the model's part of encoding. */
@FunctionalInterface
interface SegmentEncoder {
    /**
     * @param segment normalized text between added tokens
     * @param offset where the raw text of the segment starts in the caller's text (for messages)
     * @param out where the ids go
     */
    void encode(String segment, int offset, IntArrayBuilder out);
}
