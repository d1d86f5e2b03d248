package dev.hearth.engine.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
    /** The new text contained one of the stop sequences; the text is cut before it. */
    STOP_SEQUENCE,
    /** The model produced one of the stop token ids (EOS); its text is left out. */
    EOS,
    /** {@link SamplingParams#maxNewTokens()} tokens were generated. */
    MAX_TOKENS,
    /** Prompt and new tokens together filled the model's context length. */
    CONTEXT_FULL
}
