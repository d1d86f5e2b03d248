package dev.hearth.engine.generate;

import java.util.List;

/**
 * How to pick each new token and when to stop: one request's settings. The processing order is
 * Hugging Face's: repetition penalty, then temperature, then top-k, then top-p, then a draw (see
 * {@link Sampler}).
 *
 * @param temperature       divides the logits; 0 takes the most likely token (greedy), and top-k / top-p are
 *                          then ignored
 * @param topK              keep the k highest-scoring tokens (ties with the k-th kept too); 0 = off
 * @param topP              keep the smallest set of most likely tokens whose probability reaches p; 1 = off
 * @param repetitionPenalty CTRL's penalty on every token already in the sequence, prompt included:
 *                          a logit l becomes l / penalty if l > 0, else l * penalty; 1 = off
 * @param maxNewTokens      at most this many new tokens per sequence
 * @param stopSequences     strings that end generation when the new text contains one; the text is cut before it
 * @param stopTokenIds      token ids that end generation (the model's EOS tokens); their text is left out
 * @param seed              the seed of the draws: sequence i of a batch draws from its own {@code Rng} derived
 *                          from (seed, i), so its tokens do not depend on the other prompts
 */
public record SamplingParams(double temperature, int topK, double topP, double repetitionPenalty, int maxNewTokens,
                             List<String> stopSequences, List<Integer> stopTokenIds, long seed) {

    public SamplingParams {
        stopSequences = List.copyOf(stopSequences);
        stopTokenIds = List.copyOf(stopTokenIds);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new GenerationException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new GenerationException("top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new GenerationException("top-p must be in (0, 1] (1 = off), got " + topP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new GenerationException("the repetition penalty must be a finite number > 0 (1 = off), got "
                    + repetitionPenalty);
        }
        if (maxNewTokens < 0) {
            throw new GenerationException("the number of new tokens must be >= 0, got " + maxNewTokens);
        }
        for (String s : stopSequences) {
            if (s.isEmpty()) {
                throw new GenerationException("a stop sequence is empty; it would stop before the first token."
                        + " Remove it");
            }
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens, no penalty, no stop conditions. */
    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(0, 0, 1, 1, maxNewTokens, List.of(), List.of(), 0);
    }

    /** The model's defaults: sampling settings, maximum length and EOS ids from its generation config. */
    public static SamplingParams from(GenerationConfig g, long seed) {
        return new SamplingParams(g.doSample() ? g.temperature() : 0, g.topK(), g.topP(), g.repetitionPenalty(),
                g.maxNewTokens(), List.of(), g.eosTokenIds(), seed);
    }

    /** True when each token is the most likely one (temperature 0). */
    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topK, topP, repetitionPenalty, maxNewTokens, stopSequences, stopTokenIds, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, repetitionPenalty, maxNewTokens, stopSequences, stopTokenIds,
                seed);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, topK, p, repetitionPenalty, maxNewTokens, stopSequences, stopTokenIds,
                seed);
    }

    public SamplingParams withRepetitionPenalty(double penalty) {
        return new SamplingParams(temperature, topK, topP, penalty, maxNewTokens, stopSequences, stopTokenIds, seed);
    }

    public SamplingParams withMaxNewTokens(int n) {
        return new SamplingParams(temperature, topK, topP, repetitionPenalty, n, stopSequences, stopTokenIds, seed);
    }

    public SamplingParams withStopSequences(List<String> stops) {
        return new SamplingParams(temperature, topK, topP, repetitionPenalty, maxNewTokens, stops, stopTokenIds, seed);
    }

    public SamplingParams withStopTokenIds(List<Integer> ids) {
        return new SamplingParams(temperature, topK, topP, repetitionPenalty, maxNewTokens, stopSequences, ids, seed);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, repetitionPenalty, maxNewTokens, stopSequences,
                stopTokenIds, s);
    }
}
