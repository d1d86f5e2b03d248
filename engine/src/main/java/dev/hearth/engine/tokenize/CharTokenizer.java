package dev.hearth.engine.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * One id per character for small corpora, as nanoGPT's {@code shakespeare_char}: the vocabulary
 * is the sorted set of the corpus's code points (not UTF-16 units, so an emoji is one id), with
 * ids 0, 1, ... in code point order; then the unknown token, if any, then the special tokens.
 *
 * <p>A character outside the vocabulary becomes the unknown token when there is one, and is
 * otherwise an error naming the character and its index. Saved as a Hugging Face
 * {@code tokenizer.json} with a {@code WordLevel} model, a {@code Split} pre-tokenizer on the
 * regex {@code [\s\S]} (every character its own piece) and the {@code Fuse} decoder, so that
 * Hugging Face encodes and decodes it the same way.
 */
public final class CharTokenizer implements Tokenizer {
    /** The regex of the Split pre-tokenizer that isolates every character. */
    static final String EVERY_CHARACTER = "[\\s\\S]";

    private final String[] vocab;                 // id -> token (a one-code-point string, or an added token)
    private final int[] bmpIds;                   // code point < 65536 -> id, -1 if none
    private final Map<Integer, Integer> astralIds;
    private final String unkToken;                // as in the file's model.unk_token (may be absent from the vocab)
    private final int unkId;                      // -1 when the vocabulary has no unknown token
    final AddedTokens added;
    final PostProcessor postProcessor;
    final JsonNode truncation;
    final JsonNode padding;

    CharTokenizer(String[] vocab, String unkToken, AddedTokens added, PostProcessor postProcessor,
            JsonNode truncation, JsonNode padding) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.added = added;
        this.postProcessor = postProcessor;
        this.truncation = truncation;
        this.padding = padding;
        this.bmpIds = new int[65536];
        Arrays.fill(bmpIds, -1);
        this.astralIds = new HashMap<>();
        int unk = -1;
        for (int id = 0; id < vocab.length; id++) {
            String t = vocab[id];
            if (t == null) {
                continue;
            }
            if (t.equals(unkToken)) {
                unk = id;
            }
            if (t.isEmpty() || t.codePointCount(0, t.length()) != 1
                    || (added.byContent(t) != null && added.byContent(t).id() == id)) {
                continue;
            }
            int cp = t.codePointAt(0);
            if (cp < 65536) {
                bmpIds[cp] = id;
            } else {
                astralIds.put(cp, id);
            }
        }
        this.unkId = unk;
    }

    /** The characters of {@code corpus} and nothing else (nanoGPT's {@code shakespeare_char}). */
    public static CharTokenizer train(String corpus) {
        return train(List.of(corpus), CharTokenizerConfig.CHARACTERS_ONLY);
    }

    /** The characters of all the documents, then the unknown and special tokens of {@code config}. */
    public static CharTokenizer train(Iterable<String> documents, CharTokenizerConfig config) {
        TreeSet<Integer> codePoints = new TreeSet<>();
        long index = 0;
        for (String doc : documents) {
            try {
                SurrogateEscape.requireWellFormed(doc);
            } catch (TokenizerException e) {
                throw new TokenizerException("document " + index + ": " + e.getMessage(), e);
            }
            doc.codePoints().forEach(codePoints::add);
            index++;
        }
        List<String> tokens = new ArrayList<>();
        for (int cp : codePoints) {
            tokens.add(Character.toString(cp));
        }
        List<AddedToken> addedTokens = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> extra = new ArrayList<>();
        if (config.unknownToken() != null) {
            extra.add(config.unknownToken());
        }
        extra.addAll(config.specialTokens());
        for (String s : extra) {
            if (seen.containsKey(s)) {
                continue;
            }
            if (s.codePointCount(0, s.length()) == 1 && codePoints.contains(s.codePointAt(0))) {
                throw new TokenizerException("the special token '" + s + "' is also a character of the corpus; "
                        + "choose a name that is not a single character, such as <unk>");
            }
            seen.put(s, tokens.size());
            addedTokens.add(AddedToken.special(tokens.size(), s));
            tokens.add(s);
        }
        return new CharTokenizer(tokens.toArray(String[]::new), config.unknownToken(), new AddedTokens(addedTokens),
                null, null, null);
    }

    /** This tokenizer with another post-processor (null for none). */
    public CharTokenizer withPostProcessor(PostProcessor processor) {
        return new CharTokenizer(vocab, unkToken, added, processor, truncation, padding);
    }

    /** The id characters outside the vocabulary become, or empty when such a character is an error. */
    public OptionalInt unknownTokenId() {
        return unkId < 0 ? OptionalInt.empty() : OptionalInt.of(unkId);
    }

    String unkTokenName() {
        return unkToken;
    }

    String[] vocabArray() {
        return vocab;
    }

    @Override
    public int[] encode(String text, EncodeOptions options) {
        SurrogateEscape.requireWellFormed(text);
        IntArrayBuilder out = new IntArrayBuilder(text.length());
        added.encode(text, options.specialTokens(), Normalizer.none(), this::encodeSegment, out);
        int[] ids = out.toArray();
        return options.applyTemplate() && postProcessor != null ? postProcessor.apply(ids) : ids;
    }

    private void encodeSegment(String segment, int offset, IntArrayBuilder out) {
        for (int i = 0; i < segment.length(); ) {
            int cp = segment.codePointAt(i);
            int id = cp < 65536 ? bmpIds[cp] : astralIds.getOrDefault(cp, -1);
            if (id < 0) {
                if (unkId < 0) {
                    throw new TokenizerException(String.format(
                            "the character '%s' (U+%04X) at index %d is not in the vocabulary of %d characters and "
                                    + "the tokenizer has no unknown token; train on text that contains it, or train "
                                    + "with CharTokenizerConfig.withUnknownToken(\"<unk>\")",
                            Character.toString(cp), cp, offset + i, vocab.length - added.tokens().size()));
                }
                id = unkId;
            }
            out.add(id);
            i += Character.charCount(cp);
        }
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            if (id < 0 || id >= vocab.length || vocab[id] == null) {
                throw new TokenizerException("id " + id + " at index " + k + " is not in the vocabulary (ids 0.."
                        + (vocab.length - 1) + "); the ids come from another tokenizer or were corrupted");
            }
            if (skipSpecialTokens && added.isSpecial(id)) {
                continue;
            }
            sb.append(vocab[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return vocab.length;
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= vocab.length || vocab[id] == null) {
            throw new TokenizerException("id " + id + " is not in the vocabulary (ids 0.." + (vocab.length - 1) + ")");
        }
        return vocab[id];
    }

    @Override
    public OptionalInt tokenId(String token) {
        AddedToken t = added.byContent(token);
        if (t != null) {
            return OptionalInt.of(t.id());
        }
        if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
            return OptionalInt.empty();
        }
        int cp = token.codePointAt(0);
        int id = cp < 65536 ? bmpIds[cp] : astralIds.getOrDefault(cp, -1);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The characters of the vocabulary in id order (the special and unknown tokens left out). */
    public String characters() {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < vocab.length; id++) {
            if (vocab[id] != null && added.byId(id) == null) {
                sb.append(vocab[id]);
            }
        }
        return sb.toString();
    }

    @Override
    public Set<String> specialTokens() {
        return added.specialContents();
    }

    @Override
    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    @Override
    public void save(Path tokenizerJson) {
        TokenizerJsonWriter.write(TokenizerJsonWriter.toJson(this), tokenizerJson);
    }

    @Override
    public String toString() {
        return "CharTokenizer[vocab " + vocab.length + "]";
    }
}
