package dev.hearth.engine.tokenize;

import java.util.Objects;

/**
 * How to encode: what to do with special tokens written in the text, and whether to apply the
 * tokenizer's post-processing template (BOS/EOS, {@code [CLS] ... [SEP]}).
 *
 * <p>{@link #PLAIN}, what {@link Tokenizer#encode(String)} uses, encodes the text and nothing
 * else. {@link #HUGGING_FACE_DEFAULT} is what {@code tokenizer(text)} does in Hugging Face
 * {@code transformers}: special tokens recognised, template applied.
 *
 * @param specialTokens what to do with special-token text in the input
 * @param applyTemplate whether to add the template's tokens around the encoded text
 */
public record EncodeOptions(SpecialTokenPolicy specialTokens, boolean applyTemplate) {
    /** Special tokens are ordinary text; no template. */
    public static final EncodeOptions PLAIN = new EncodeOptions(SpecialTokenPolicy.TREAT_AS_TEXT, false);

    /** Special tokens recognised and the template applied, as {@code transformers} does by default. */
    public static final EncodeOptions HUGGING_FACE_DEFAULT = new EncodeOptions(SpecialTokenPolicy.RECOGNIZE, true);

    public EncodeOptions {
        Objects.requireNonNull(specialTokens, "specialTokens");
    }

    public EncodeOptions withSpecialTokens(SpecialTokenPolicy policy) {
        return new EncodeOptions(policy, applyTemplate);
    }

    public EncodeOptions withTemplate(boolean apply) {
        return new EncodeOptions(specialTokens, apply);
    }
}
