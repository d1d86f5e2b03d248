package dev.hearth.engine.tokenize;

/**
 * The settings of Hugging Face's {@code ByteLevel} pre-tokenizer and decoder.
 *
 * @param addPrefixSpace put a space before each piece that does not start with one, so the
 *     first word of a text is encoded like the others (RoBERTa); GPT-2 and Qwen2 leave it false
 * @param trimOffsets offsets only; kept for saving
 * @param useRegex split with GPT-2's regex ({@link SplitPattern#GPT2}); false when a
 *     {@code Split} pre-tokenizer has split the text already (Llama 3, Qwen2)
 */
public record ByteLevelOptions(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
    /** GPT-2's pre-tokenizer: no prefix space, GPT-2's regex. */
    public static final ByteLevelOptions GPT2 = new ByteLevelOptions(false, true, true);
    /** After a Split pre-tokenizer (Llama 3, Qwen2): bytes only. */
    public static final ByteLevelOptions BYTES_ONLY = new ByteLevelOptions(false, false, false);
}
