package dev.hearth.engine.tokenize;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back: one of the engine's core interfaces, with {@code Tensor} and
 * {@code Module}.
 *
 * <p>Implementations: {@link ByteLevelBpeTokenizer} (GPT-2, Llama 3, Qwen2 style; trained by
 * {@link BpeTrainer}), {@link WordPieceTokenizer} (BERT) and {@link CharTokenizer} (one id per
 * code point, nanoGPT's {@code shakespeare_char}). All read and write Hugging Face's
 * {@code tokenizer.json}: {@link #load(Path)} returns the right one for a file, {@link #save}
 * writes one. All are immutable and safe to use from many threads at once.
 *
 * <p>Encoding never recognises special tokens written in the text unless the caller asks
 * ({@link EncodeOptions}, {@link SpecialTokenPolicy}), and never adds BOS/EOS or
 * {@code [CLS]}/{@code [SEP]} unless asked ({@link EncodeOptions#applyTemplate()}).
 */
public interface Tokenizer {

    /** Reads a Hugging Face {@code tokenizer.json} and returns the implementation its model needs. */
    static Tokenizer load(Path tokenizerJson) {
        return TokenizerJsonReader.read(tokenizerJson);
    }

    /** As {@link #load(Path)}, from the JSON text itself. */
    static Tokenizer fromJson(String tokenizerJson) {
        return TokenizerJsonReader.parse(tokenizerJson, null);
    }

    /** The ids of {@code text}: special-token text is ordinary text, no template ({@link EncodeOptions#PLAIN}). */
    default int[] encode(String text) {
        return encode(text, EncodeOptions.PLAIN);
    }

    /**
     * The ids of {@code text}.
     *
     * @throws TokenizerException when the text is not valid Unicode (an unpaired surrogate), has
     *     a character the vocabulary cannot express, or holds a special token under
     *     {@link SpecialTokenPolicy#REJECT}
     */
    int[] encode(String text, EncodeOptions options);

    /** The ids of UTF-8 bytes, as {@link #encode(byte[], EncodeOptions)} with {@link EncodeOptions#PLAIN}. */
    default int[] encode(byte[] utf8) {
        return encode(utf8, EncodeOptions.PLAIN);
    }

    /**
     * The ids of raw bytes. A byte-level BPE encodes any bytes, valid UTF-8 or not, so that
     * {@link #decodeBytes} gives them back exactly; other tokenizers work on text and reject bytes
     * that are not valid UTF-8.
     */
    default int[] encode(byte[] utf8, EncodeOptions options) {
        return encode(SurrogateEscape.decodeStrict(utf8), options);
    }

    /** The text of {@code ids}, special tokens included. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}. Bytes that do not form valid UTF-8 (a token sequence cut inside a
     * character) become U+FFFD, as in Hugging Face; {@link #decodeBytes} gives the exact bytes.
     *
     * @throws TokenizerException for an id outside the vocabulary
     */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** The exact bytes of {@code ids}, special tokens included. */
    default byte[] decodeBytes(int[] ids) {
        return decode(ids, false).getBytes(StandardCharsets.UTF_8);
    }

    /** The number of ids: one more than the largest id of the model or the added tokens. */
    int vocabSize();

    /**
     * The token string of {@code id} as the vocabulary writes it, for display: {@code Ġthe} in a
     * byte-level BPE (Ġ is a space), {@code ##ing} in WordPiece, {@code <|endoftext|>} for a special token.
     */
    String token(int id);

    /** The id of a token string as {@link #token} writes it, if the vocabulary has it. */
    OptionalInt tokenId(String token);

    /** The id of the special token with this content, such as {@code <|endoftext|>} or {@code [CLS]}. */
    default OptionalInt specialTokenId(String content) {
        for (AddedToken t : addedTokens()) {
            if (t.special() && t.content().equals(content)) {
                return OptionalInt.of(t.id());
            }
        }
        return OptionalInt.empty();
    }

    /** The contents of the special tokens, in id order. */
    Set<String> specialTokens();

    /** All added tokens (special or not), in id order. */
    List<AddedToken> addedTokens();

    /** Writes this tokenizer as a Hugging Face {@code tokenizer.json} (atomically: a temporary file, then a rename). */
    void save(Path tokenizerJson);
}
