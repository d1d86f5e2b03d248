package dev.hearth.engine.generate;

import dev.hearth.engine.tokenize.EncodeOptions;
import java.util.Objects;

/**
 * How a {@link Generator} turns prompt text into token ids.
 *
 * @param encoding     how the tokenizer encodes (special tokens, template); {@link EncodeOptions#PLAIN} by default
 * @param bosTokenId   a token put before every prompt, or -1 for none (Llama-style models want their BOS)
 * @param truncateLeft when a prompt leaves no room for {@code maxNewTokens} in the context, drop its oldest
 *                     tokens (keeping the BOS token) instead of failing; off by default
 * @param contextShift when a sequence fills the model's context, keep its most recent half (and the BOS
 *                     token) and go on generating, as llama.cpp's context shift does, instead of ending with
 *                     {@link FinishReason#CONTEXT_FULL}; off by default. For models with a short context
 */
public record PromptOptions(EncodeOptions encoding, int bosTokenId, boolean truncateLeft, boolean contextShift) {

    /** The text's tokens as they are: no BOS, no template, no truncation. */
    public static final PromptOptions PLAIN = new PromptOptions(EncodeOptions.PLAIN, -1, false, false);

    public PromptOptions {
        Objects.requireNonNull(encoding, "encoding");
    }

    public PromptOptions withBos(int id) {
        return new PromptOptions(encoding, id, truncateLeft, contextShift);
    }

    public PromptOptions withTruncateLeft(boolean on) {
        return new PromptOptions(encoding, bosTokenId, on, contextShift);
    }

    public PromptOptions withEncoding(EncodeOptions options) {
        return new PromptOptions(options, bosTokenId, truncateLeft, contextShift);
    }

    public PromptOptions withContextShift(boolean on) {
        return new PromptOptions(encoding, bosTokenId, truncateLeft, on);
    }
}
