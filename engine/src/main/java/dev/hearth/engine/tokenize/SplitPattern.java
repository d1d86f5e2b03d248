package dev.hearth.engine.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A pre-tokenization regex of the GPT family, implemented by hand: {@link #split} gives exactly
 * the pieces that {@code findall} of {@link #regex()} gives under Oniguruma (which Hugging Face
 * uses) or {@code java.util.regex} with {@code UNICODE_CHARACTER_CLASS}, on any input, several
 * times faster. The pieces always cover the text: every character falls in one.
 *
 * <ul>
 *   <li>{@link #GPT2}: GPT-2's pattern, which Hugging Face's {@code ByteLevel} pre-tokenizer
 *       applies when {@code use_regex} is true.
 *   <li>{@link #LLAMA3}: Llama 3's (GPT-4's cl100k without possessive quantifiers): contractions
 *       in any case, a letter run with one leading non-letter, digits in runs of at most three.
 *   <li>{@link #QWEN2}: Qwen2's: Llama 3's with single digits.
 * </ul>
 *
 * {@link #forRegex} maps the regex string of a {@code tokenizer.json} {@code Split}
 * pre-tokenizer to one of these; any other regex is refused rather than approximated.
 */
public abstract sealed class SplitPattern permits Gpt2SplitPattern, Llama3SplitPattern {
    /** GPT-2's pattern. */
    public static final SplitPattern GPT2 = new Gpt2SplitPattern();
    /** Llama 3's pattern. */
    public static final SplitPattern LLAMA3 = new Llama3SplitPattern(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            3);
    /** Qwen2's pattern (also Qwen2.5 and Qwen3). */
    public static final SplitPattern QWEN2 = new Llama3SplitPattern(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            1);

    /** All the patterns Hearth implements. */
    public static List<SplitPattern> all() {
        return List.of(GPT2, LLAMA3, QWEN2);
    }

    /** The hand-written implementation of exactly this regex string, if there is one. */
    public static Optional<SplitPattern> forRegex(String regex) {
        for (SplitPattern p : all()) {
            if (p.regex().equals(regex)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The regex this pattern implements, as written in a {@code tokenizer.json}. */
    public abstract String regex();

    /** A short name: gpt2, llama3 or qwen2. */
    public abstract String name();

    /** The pieces of {@code text}, in order; concatenated they give the text back. */
    public List<String> split(String text) {
        char[] chars = text.toCharArray();
        IntArrayBuilder bounds = new IntArrayBuilder();
        split(chars, 0, chars.length, bounds);
        List<String> pieces = new ArrayList<>(bounds.size() / 2);
        for (int k = 0; k < bounds.size(); k += 2) {
            pieces.add(new String(chars, bounds.get(k), bounds.get(k + 1) - bounds.get(k)));
        }
        return pieces;
    }

    /** Appends the (start, end) of each piece of {@code text[start, end)} to {@code bounds}. */
    abstract void split(char[] text, int start, int end, IntArrayBuilder bounds);

    @Override
    public String toString() {
        return name();
    }
}
