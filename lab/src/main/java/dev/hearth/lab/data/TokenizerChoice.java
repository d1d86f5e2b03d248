package dev.hearth.lab.data;

import java.nio.file.Path;
import java.util.Locale;

/** Which tokenizer a preparation uses: one it trains, or one read from a file. */
public sealed interface TokenizerChoice {

    /** The least vocabulary a byte-level BPE can have: 256 byte tokens and {@code <|endoftext|>}. */
    int MIN_BPE_VOCAB = 257;

    /**
     * Train a byte-level BPE (GPT-2's pre-tokenization) on the training documents, with
     * {@code <|endoftext|>} as id 0 and as the separator written after every document.
     *
     * @param vocabSize the vocabulary asked for; the data may support fewer (recorded, with why)
     * @param minFrequency pairs seen fewer times are not merged
     */
    record TrainBpe(int vocabSize, int minFrequency) implements TokenizerChoice {
        public TrainBpe {
            if (vocabSize < MIN_BPE_VOCAB) {
                throw new DataInputException("bpe:" + vocabSize + " is too small: a byte-level BPE has 256 byte tokens"
                        + " and <|endoftext|>, so ask for at least bpe:" + MIN_BPE_VOCAB
                        + " (bpe:8000 suits a few MB of text)");
            }
            if (minFrequency < 1) {
                throw new DataInputException("the minimum pair frequency must be 1 or more, not " + minFrequency);
            }
        }
    }

    /**
     * One id per character (nanoGPT's {@code shakespeare_char}): the vocabulary is every
     * character of every document used, train and val (as nanoGPT does), so val never meets an
     * unknown character. No separator.
     */
    record TrainChars() implements TokenizerChoice {}

    /** A Hugging Face {@code tokenizer.json} as it is. */
    record FromFile(Path file) implements TokenizerChoice {}

    /** {@code bpe:8000}, {@code char}, or the path of a {@code tokenizer.json}. */
    static TokenizerChoice parse(String spec, int minFrequency) {
        String s = spec.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("char") || lower.equals("chars")) {
            return new TrainChars();
        }
        if (lower.startsWith("bpe:") || lower.equals("bpe")) {
            String n = lower.equals("bpe") ? "" : s.substring(4).replace("_", "").replace(",", "");
            if (n.toLowerCase(Locale.ROOT).endsWith("k")) {
                n = n.substring(0, n.length() - 1) + "000";
            }
            try {
                return new TrainBpe(Integer.parseInt(n), minFrequency);
            } catch (NumberFormatException e) {
                throw new DataInputException("--tokenizer " + spec + ": give the vocabulary size as a number, such as"
                        + " bpe:8000");
            }
        }
        return new FromFile(Path.of(s));
    }

    /** As written on the command line. */
    default String describe() {
        return switch (this) {
            case TrainBpe b -> "bpe:" + b.vocabSize();
            case TrainChars c -> "char";
            case FromFile f -> f.file().toString();
        };
    }
}
