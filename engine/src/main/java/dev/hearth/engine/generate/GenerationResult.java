package dev.hearth.engine.generate;

import java.util.Arrays;

/**
 * One prompt's completion.
 *
 * @param text            the new text (the prompt is not repeated): cut before a stop sequence, without the text
 *                        of a final EOS token; exactly the concatenation of the streamed deltas
 * @param tokenIds        the new token ids, all of them: a final EOS token and the tokens of a stop sequence
 *                        included
 * @param promptTokens    tokens the prompt took (after a BOS token was added or the prompt truncated)
 * @param generatedTokens new tokens, {@code tokenIds.length}
 * @param finishReason    why generation stopped
 * @param timings         prefill and decode time
 */
public record GenerationResult(String text, int[] tokenIds, int promptTokens, int generatedTokens,
                               FinishReason finishReason, GenerationTimings timings) {

    public GenerationResult {
        tokenIds = tokenIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && text.equals(r.text) && Arrays.equals(tokenIds, r.tokenIds)
                && promptTokens == r.promptTokens && generatedTokens == r.generatedTokens
                && finishReason == r.finishReason && timings.equals(r.timings);
    }

    @Override
    public int hashCode() {
        return 31 * text.hashCode() + Arrays.hashCode(tokenIds);
    }

    @Override
    public String toString() {
        return "GenerationResult[text=" + text + ", tokenIds=" + Arrays.toString(tokenIds) + ", promptTokens="
                + promptTokens + ", generatedTokens=" + generatedTokens + ", finishReason=" + finishReason
                + ", timings=" + timings + "]";
    }
}
