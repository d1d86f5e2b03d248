package dev.hearth.engine.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Byte-level BPE, as GPT-2, RoBERTa, Llama 3 and Qwen2 use it: text is normalized (if the file
 * asks), split into pieces ({@link SplitPattern}), each piece's UTF-8 bytes become one symbol
 * each, and the merges join symbols. Any text, and through {@link #encode(byte[])} any bytes,
 * encodes and decodes back exactly; nothing is dropped.
 *
 * <p>Encoding caches the ids of frequent pieces ({@link WordCache}) and merges with a heap, so
 * long CJK pieces cost O(n log n). Obtain one from {@link BpeTrainer#train} or
 * {@link Tokenizer#load}.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    private static final int CACHE_CAPACITY = 1 << 17;

    final BpeModel model;
    final Normalizer normalizer;
    final ByteLevelPreTokenizer preTokenizer;
    final ByteLevelOptions decoder;
    final PostProcessor postProcessor;      // null when none
    final AddedTokens added;
    final JsonNode truncation;              // kept as read, for saving; null when none
    final JsonNode padding;
    private final int vocabSize;
    private final byte[][] idBytes;         // id -> bytes the token stands for; null where no token
    private final WordCache cache = new WordCache(CACHE_CAPACITY);

    ByteLevelBpeTokenizer(BpeModel model, Normalizer normalizer, ByteLevelPreTokenizer preTokenizer,
            ByteLevelOptions decoder, PostProcessor postProcessor, AddedTokens added, JsonNode truncation,
            JsonNode padding) {
        this.model = Objects.requireNonNull(model);
        this.normalizer = Objects.requireNonNull(normalizer);
        this.preTokenizer = Objects.requireNonNull(preTokenizer);
        this.decoder = Objects.requireNonNull(decoder);
        this.postProcessor = postProcessor;
        this.added = Objects.requireNonNull(added);
        this.truncation = truncation;
        this.padding = padding;
        this.vocabSize = Math.max(model.vocab.length, added.maxId() + 1);
        this.idBytes = new byte[vocabSize][];
        for (int id = 0; id < model.vocab.length; id++) {
            if (model.vocab[id] != null) {
                idBytes[id] = ByteLevelAlphabet.decodeToken(model.vocab[id]);
            }
        }
        for (AddedToken t : added.tokens()) {
            idBytes[t.id()] = ByteLevelAlphabet.decodeToken(t.content());
        }
    }

    /** This tokenizer with another post-processor (null for none), such as {@link TemplatePostProcessor#surround}. */
    public ByteLevelBpeTokenizer withPostProcessor(PostProcessor processor) {
        return new ByteLevelBpeTokenizer(model, normalizer, preTokenizer, decoder, processor, added, truncation,
                padding);
    }

    /**
     * This tokenizer with a template that puts the special token {@code bos} before and {@code eos}
     * after each encoded text (either may be null) when {@link EncodeOptions#applyTemplate()} is set.
     */
    public ByteLevelBpeTokenizer withBosEos(String bos, String eos) {
        List<AddedToken> before = new ArrayList<>();
        List<AddedToken> after = new ArrayList<>();
        if (bos != null) {
            before.add(requireSpecial(bos));
        }
        if (eos != null) {
            after.add(requireSpecial(eos));
        }
        return withPostProcessor(TemplatePostProcessor.surround(before, after));
    }

    private AddedToken requireSpecial(String content) {
        AddedToken t = added.byContent(content);
        if (t == null || !t.special()) {
            throw new TokenizerException("'" + content + "' is not a special token of this tokenizer (it has "
                    + specialTokens() + "); train with it in BpeTrainingConfig.specialTokens");
        }
        return t;
    }

    /** The merges in rank order. */
    public List<BpeMerge> merges() {
        List<BpeMerge> out = new ArrayList<>(model.mergeCount());
        for (String[] p : model.mergePairs()) {
            out.add(new BpeMerge(p[0], p[1]));
        }
        return out;
    }

    /** The split patterns applied before the byte-level step (empty for GPT-2, which uses the ByteLevel regex). */
    public List<SplitPattern> splitPatterns() {
        return preTokenizer.splits;
    }

    /** Whether a piece that is itself in the vocabulary becomes that one id without merging (Llama 3's {@code ignore_merges}). */
    public boolean ignoresMerges() {
        return model.ignoreMerges;
    }

    public ByteLevelOptions byteLevelOptions() {
        return preTokenizer.options;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    /** The post-processor, or null. */
    public PostProcessor postProcessor() {
        return postProcessor;
    }

    @Override
    public int[] encode(String text, EncodeOptions options) {
        SurrogateEscape.requireWellFormed(text);
        return encodeChecked(text, options);
    }

    @Override
    public int[] encode(byte[] utf8, EncodeOptions options) {
        return encodeChecked(SurrogateEscape.decode(utf8), options);
    }

    private int[] encodeChecked(String text, EncodeOptions options) {
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 3 + 16);
        EncodeScratch sc = new EncodeScratch();
        added.encode(text, options.specialTokens(), normalizer, (segment, offset, o) -> encodeSegment(segment, o, sc),
                out);
        int[] ids = out.toArray();
        return options.applyTemplate() && postProcessor != null ? postProcessor.apply(ids) : ids;
    }

    /** Per-call scratch: piece bounds and the merge loop's arrays. */
    private static final class EncodeScratch {
        final IntArrayBuilder bounds = new IntArrayBuilder(256);
        final IntArrayBuilder spare = new IntArrayBuilder(256);
        final BpeModel.Scratch merge = new BpeModel.Scratch();
    }

    private void encodeSegment(String segment, IntArrayBuilder out, EncodeScratch sc) {
        IntArrayBuilder bounds = sc.bounds;
        char[] buf = preTokenizer.split(segment, bounds, sc.spare);
        int pieces = bounds.size();
        for (int k = 0; k < pieces; k += 2) {
            encodePiece(buf, bounds.get(k), bounds.get(k + 1), out, sc.merge);
        }
    }

    private void encodePiece(char[] buf, int s, int e, IntArrayBuilder out, BpeModel.Scratch sc) {
        int len = e - s;
        if (len == 1 && buf[s] < 0x80 && model.byteIds[buf[s]] >= 0) {
            out.add(model.byteIds[buf[s]]); // one ASCII byte: one symbol, nothing to merge
            return;
        }
        int hash = 0;
        boolean cacheable = len <= WordCache.MAX_WORD_CHARS;
        if (cacheable) {
            hash = WordCache.hash(buf, s, e);
            if (cache.appendTo(buf, s, e, hash, out)) {
                return;
            }
        }
        sc.ensure(len);
        int n = SurrogateEscape.appendUtf8(buf, s, e, sc.bytes);
        int[] ids = model.encodeWord(sc.bytes, n, sc, buf, s, e);
        if (cacheable) {
            cache.put(buf, s, e, hash, ids);
        }
        out.addAll(ids);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return new String(decodeBytes(ids, skipSpecialTokens), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        return decodeBytes(ids, false);
    }

    /** The exact bytes of {@code ids}, special tokens left out when asked. */
    public byte[] decodeBytes(int[] ids, boolean skipSpecialTokens) {
        int total = 0;
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            byte[] b = bytesOf(id, k);
            if (!(skipSpecialTokens && added.isSpecial(id))) {
                total += b.length;
            }
        }
        byte[] out = new byte[total];
        int n = 0;
        for (int id : ids) {
            if (skipSpecialTokens && added.isSpecial(id)) {
                continue;
            }
            byte[] b = idBytes[id];
            System.arraycopy(b, 0, out, n, b.length);
            n += b.length;
        }
        return out;
    }

    private byte[] bytesOf(int id, int index) {
        if (id < 0 || id >= vocabSize || idBytes[id] == null) {
            throw new TokenizerException("id " + id + " at index " + index + " is not in the vocabulary (ids 0.."
                    + (vocabSize - 1) + (id >= 0 && id < vocabSize ? ", but " + id + " has no token" : "")
                    + "); the ids come from another tokenizer or were corrupted");
        }
        return idBytes[id];
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String token(int id) {
        AddedToken t = added.byId(id);
        if (t != null) {
            return t.content();
        }
        if (id < 0 || id >= model.vocab.length || model.vocab[id] == null) {
            throw new TokenizerException("id " + id + " is not in the vocabulary (ids 0.." + (vocabSize - 1) + ")");
        }
        return model.vocab[id];
    }

    @Override
    public OptionalInt tokenId(String token) {
        AddedToken t = added.byContent(token);
        if (t != null) {
            return OptionalInt.of(t.id());
        }
        Integer id = model.ids.get(token);
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
        return "ByteLevelBpeTokenizer[vocab " + vocabSize + ", merges " + model.mergeCount() + ", split "
                + (preTokenizer.splits.isEmpty() ? "gpt2" : preTokenizer.splits) + "]";
    }
}
