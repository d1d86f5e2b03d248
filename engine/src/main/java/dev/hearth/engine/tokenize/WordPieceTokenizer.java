package dev.hearth.engine.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * BERT's WordPiece, as Hugging Face's {@code WordPiece} model with its usual pipeline: the
 * {@link BertNormalizer} (lower-casing, accent stripping, CJK ideographs as words), the
 * {@link BertPreTokenizer} (whitespace and punctuation), then for each word greedy
 * longest-match-first: the longest prefix in the vocabulary, then the longest continuation
 * (written {@code ##...}) from where it ended, and so on. A word longer than
 * {@code maxInputCharsPerWord} code points, or one that cannot be covered, becomes the single
 * unknown token ({@code [UNK]}). {@code [CLS]}/{@code [SEP]} come from the post-processor when
 * the caller asks for the template.
 *
 * <p>Read from a {@code tokenizer.json} ({@link Tokenizer#load}) or a BERT {@code vocab.txt}
 * ({@link #fromVocabTxt}).
 */
public final class WordPieceTokenizer implements Tokenizer {
    private final String[] vocab;
    private final Map<String, Integer> ids;
    final String unkToken;
    final String prefix;
    final int maxInputCharsPerWord;
    final Normalizer normalizer;
    final WordPieceDecoderOptions decoder;      // null: tokens joined with spaces, as Hugging Face without a decoder
    final PostProcessor postProcessor;
    final AddedTokens added;
    final JsonNode truncation;
    final JsonNode padding;
    private final int vocabSize;

    WordPieceTokenizer(String[] vocab, Map<String, Integer> ids, String unkToken, String prefix,
            int maxInputCharsPerWord, Normalizer normalizer, WordPieceDecoderOptions decoder,
            PostProcessor postProcessor, AddedTokens added, JsonNode truncation, JsonNode padding) {
        this.vocab = vocab;
        this.ids = Collections.unmodifiableMap(new HashMap<>(ids));
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.normalizer = normalizer;
        this.decoder = decoder;
        this.postProcessor = postProcessor;
        this.added = added;
        this.truncation = truncation;
        this.padding = padding;
        this.vocabSize = Math.max(vocab.length, added.maxId() + 1);
    }

    /**
     * Reads a BERT {@code vocab.txt} (one token per line, the line number being its id) with BERT's
     * defaults: {@code [UNK]}, {@code ##}, 100 characters per word, the template {@code [CLS] $A
     * [SEP]}; {@code [PAD]}, {@code [UNK]}, {@code [CLS]}, {@code [SEP]} and {@code [MASK]} are the
     * special tokens, where present.
     *
     * @param normalizer {@link BertNormalizer#uncased()} for uncased models, {@link BertNormalizer#cased()} for cased
     */
    public static WordPieceTokenizer fromVocabTxt(Path vocabTxt, BertNormalizer normalizer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(vocabTxt, null, "no such file; give the path of a BERT vocab.txt");
        } catch (IOException e) {
            throw new TokenizerFileException(vocabTxt, null, "could not be read as UTF-8 text: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new HashMap<>();
        String[] vocab = new String[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String token = lines.get(i).stripTrailing();
            if (token.isEmpty()) {
                throw new TokenizerFileException(vocabTxt, "line " + (i + 1),
                        "is empty; every line of a vocab.txt is a token (id = line number - 1)");
            }
            Integer before = ids.putIfAbsent(token, i);
            if (before != null) {
                throw new TokenizerFileException(vocabTxt, "line " + (i + 1), "repeats the token '" + token
                        + "' of line " + (before + 1) + "; each token may appear once");
            }
            vocab[i] = token;
        }
        if (!ids.containsKey("[UNK]")) {
            throw new TokenizerFileException(vocabTxt, null,
                    "has no [UNK] token, which WordPiece needs for words it cannot cover; add a line [UNK]");
        }
        List<AddedToken> specials = new ArrayList<>();
        for (String s : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            if (ids.containsKey(s)) {
                specials.add(AddedToken.special(ids.get(s), s));
            }
        }
        PostProcessor template = null;
        if (ids.containsKey("[CLS]") && ids.containsKey("[SEP]")) {
            template = TemplatePostProcessor.surround(List.of(AddedToken.special(ids.get("[CLS]"), "[CLS]")),
                    List.of(AddedToken.special(ids.get("[SEP]"), "[SEP]")));
        }
        return new WordPieceTokenizer(vocab, ids, "[UNK]", "##", 100, normalizer, WordPieceDecoderOptions.BERT,
                template, new AddedTokens(specials), null, null);
    }

    String[] vocabArray() {
        return vocab;
    }

    @Override
    public int[] encode(String text, EncodeOptions options) {
        SurrogateEscape.requireWellFormed(text);
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 4 + 8);
        added.encode(text, options.specialTokens(), normalizer, this::encodeSegment, out);
        int[] result = out.toArray();
        return options.applyTemplate() && postProcessor != null ? postProcessor.apply(result) : result;
    }

    private void encodeSegment(String segment, int offset, IntArrayBuilder out) {
        IntArrayBuilder bounds = new IntArrayBuilder();
        BertPreTokenizer.split(segment, bounds);
        for (int k = 0; k < bounds.size(); k += 2) {
            encodeWord(segment.substring(bounds.get(k), bounds.get(k + 1)), out);
        }
    }

    private void encodeWord(String word, IntArrayBuilder out) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            out.add(unkId(word));
            return;
        }
        int start = 0;
        int n = word.length();
        IntArrayBuilder pieces = new IntArrayBuilder(8);
        while (start < n) {
            int end = n;
            int found = -1;
            while (start < end) {
                String sub = word.substring(start, end);
                Integer id = ids.get(start > 0 ? prefix + sub : sub);
                if (id != null) {
                    found = id;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found < 0) {
                out.add(unkId(word));
                return;
            }
            pieces.add(found);
            start = end;
        }
        for (int k = 0; k < pieces.size(); k++) {
            out.add(pieces.get(k));
        }
    }

    private int unkId(String word) {
        Integer id = ids.get(unkToken);
        if (id == null) {
            throw new TokenizerException("the word '" + word + "' cannot be covered by the vocabulary and its unknown "
                    + "token '" + unkToken + "' is not in the vocabulary; add it to the vocabulary");
        }
        return id;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            String t = tokenOrNull(id);
            if (t == null) {
                throw new TokenizerException("id " + id + " at index " + k + " is not in the vocabulary (ids 0.."
                        + (vocabSize - 1) + "); the ids come from another tokenizer or were corrupted");
            }
            if (!(skipSpecialTokens && added.isSpecial(id))) {
                tokens.add(t);
            }
        }
        return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
    }

    private String tokenOrNull(int id) {
        AddedToken t = added.byId(id);
        if (t != null) {
            return t.content();
        }
        return id >= 0 && id < vocab.length ? vocab[id] : null;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String token(int id) {
        String t = tokenOrNull(id);
        if (t == null) {
            throw new TokenizerException("id " + id + " is not in the vocabulary (ids 0.." + (vocabSize - 1) + ")");
        }
        return t;
    }

    @Override
    public OptionalInt tokenId(String token) {
        AddedToken t = added.byContent(token);
        if (t != null) {
            return OptionalInt.of(t.id());
        }
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
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
        return "WordPieceTokenizer[vocab " + vocabSize + "]";
    }
}
