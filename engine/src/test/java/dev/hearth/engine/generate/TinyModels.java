package dev.hearth.engine.generate;

import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.util.List;

/** Tiny random models and tokenizers for the generation tests. */
final class TinyModels {
    private TinyModels() {}

    /** Lower-case letters, space and a few signs: 30 characters. */
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!";

    /** Mixed text: English, Chinese, emoji, accents. */
    static final String MIXED = "the quick brown fox jumps over the lazy dog. 你好，世界！ 👋🎉 héllo wörld. "
            + "the dog sleeps; 狐狸跳过了懒狗。 🦊🐶 naïve café.";

    static CharTokenizer chars() {
        return CharTokenizer.train(ALPHABET);
    }

    /**
     * A byte-level BPE with few merges, trained on English only: Chinese characters and emoji stay
     * two to four byte tokens each, so their characters are split across tokens.
     */
    static ByteLevelBpeTokenizer bpe() {
        return BpeTrainer.train(List.of("the quick brown fox jumps over the lazy dog. the dog sleeps. hello world."),
                BpeTrainingConfig.gpt2(300).withSpecialTokens(List.of("<|endoftext|>"))).tokenizer();
    }

    static Gpt gpt(int vocab, int context, long seed) {
        return new Gpt(new Gpt.Config(vocab, context, 2, 2, 16, 0f, true), new Rng(seed));
    }

    static Llama llama(int vocab, int context, long seed) {
        return new Llama(new Llama.Config(vocab, context, 2, 4, 2, 16, 32, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(seed));
    }

    static Llama llama(int vocab, int context) {
        return llama(vocab, context, 12);
    }

    /** A GPT and a Llama (grouped-query, untied head) of the given vocabulary. */
    static List<LanguageModel> both(int vocab, int context) {
        return List.of(gpt(vocab, context, 11), llama(vocab, context, 12));
    }
}
