package dev.hearth.engine.tokenize;

/**
 * What is done to the ids of an encoded text when the caller asks for the template
 * ({@link EncodeOptions#applyTemplate()}), as the {@code post_processor} of a
 * {@code tokenizer.json}: add BOS/EOS or {@code [CLS] ... [SEP]}.
 */
public sealed interface PostProcessor permits TemplatePostProcessor, ByteLevelPostProcessor, PostProcessorSequence {
    /** The ids of a single sequence after processing. */
    int[] apply(int[] ids);
}
