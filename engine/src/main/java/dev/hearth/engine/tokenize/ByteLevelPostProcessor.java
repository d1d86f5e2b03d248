package dev.hearth.engine.tokenize;

/**
 * Hugging Face's {@code ByteLevel} post-processor. It only trims offsets, which Hearth does not
 * produce, so it leaves the ids alone; it is kept so that a saved file says what the loaded one said.
 */
public record ByteLevelPostProcessor(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex)
        implements PostProcessor {
    @Override
    public int[] apply(int[] ids) {
        return ids;
    }
}
