package dev.hearth.engine.generate;

import java.util.List;

/**
 * Default decoding settings shipped with a model, as Hugging Face's
 * {@code generation_config.json}: which tokens begin and end a sequence, and how to sample.
 *
 * @param bosTokenId        the token that starts a sequence, or -1 for none
 * @param eosTokenIds       tokens that end generation (may be empty)
 * @param doSample          sample (true) or take the most likely token (false)
 * @param temperature       divides the logits before sampling (1 = unchanged)
 * @param topK              keep only the k most likely tokens (0 = all)
 * @param topP              keep the smallest set of tokens whose probability reaches p (1 = all)
 * @param repetitionPenalty penalises tokens already in the sequence (1 = none), as CTRL and HF do
 * @param maxNewTokens      default number of tokens to generate
 */
public record GenerationConfig(int bosTokenId, List<Integer> eosTokenIds, boolean doSample, double temperature,
                               int topK, double topP, double repetitionPenalty, int maxNewTokens) {

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(repetitionPenalty > 0) || maxNewTokens < 0) {
            throw new IllegalArgumentException("generation settings out of range: temperature >= 0, top_k >= 0,"
                    + " 0 < top_p <= 1, repetition_penalty > 0, max_new_tokens >= 0; got " + temperature + ", " + topK
                    + ", " + topP + ", " + repetitionPenalty + ", " + maxNewTokens);
        }
    }

    /** Sampling at temperature 0.8 with top-p 0.95, up to 256 new tokens. */
    public static GenerationConfig defaults(int bosTokenId, List<Integer> eosTokenIds) {
        return new GenerationConfig(bosTokenId, eosTokenIds, true, 0.8, 0, 0.95, 1.0, 256);
    }
}
