package dev.hearth.lab.compress;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.GgufValue;
import dev.hearth.engine.io.GgufValueType;
import dev.hearth.engine.io.GgufWriter;
import dev.hearth.engine.tokenize.AddedToken;
import dev.hearth.engine.tokenize.BpeMerge;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.SplitPattern;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.TokenizerException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Hearth tokenizer as llama.cpp's {@code tokenizer.ggml.*} keys, chosen so that llama.cpp
 * splits text into the same ids and turns ids back into the same text:
 *
 * <ul>
 *   <li>{@link CharTokenizer} → model {@code "llama"} (SentencePiece-style): one token per
 *       character, space written as U+2581 ({@code ▁}, which llama.cpp puts for every space before
 *       looking tokens up and turns back into a space when decoding), no space prefix. With only
 *       single characters in the vocabulary llama.cpp's pair merging never finds a pair, so each
 *       character is its own id, exactly as in Hearth.</li>
 *   <li>{@link ByteLevelBpeTokenizer} → model {@code "gpt2"}: the byte-level vocabulary and the
 *       merges in rank order, and the pre-tokenizer named by {@code tokenizer.ggml.pre}:
 *       {@code gpt-2} for GPT-2's regex, {@code llama-bpe} for Llama 3's (with
 *       {@code ignore_merges}), {@code qwen2} for Qwen2's.</li>
 * </ul>
 *
 * Ids past the tokenizer's vocabulary up to the model's (the embedding may have spare rows) become
 * unused {@code [PAD<id>]} tokens. Refused, with the reason: WordPiece, a normalizer, a prefix
 * space, an added token with strip or single-word rules, a character vocabulary holding U+2581 or
 * tokens that llama.cpp could merge from two others, a split pattern llama.cpp has no name for.
 */
final class GgufVocabulary {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final String SPACE = "\u2581";

    /** What was written, for the export's report. */
    record Summary(String model, String pre, int tokens, int padding, List<String> warnings) {}

    private GgufVocabulary() {}

    static Summary write(GgufWriter w, Tokenizer tokenizer, GenerationConfig generation, int modelVocab) {
        if (tokenizer.vocabSize() > modelVocab) {
            throw new GgufExportException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's"
                    + " embedding only " + modelVocab + " rows; this folder's tokenizer does not belong to its model");
        }
        List<String> warnings = new ArrayList<>();
        List<String> tokens = new ArrayList<>(modelVocab);
        List<Long> types = new ArrayList<>(modelVocab);
        Summary summary;
        int unk = -1;
        switch (tokenizer) {
            case CharTokenizer c -> {
                unk = chars(c, tokens, types);
                summary = new Summary("llama", null, c.vocabSize(), modelVocab - c.vocabSize(), warnings);
            }
            case ByteLevelBpeTokenizer b -> {
                String pre = bpe(b, tokens, types);
                summary = new Summary("gpt2", pre, b.vocabSize(), modelVocab - b.vocabSize(), warnings);
            }
            default -> throw new GgufExportException("the tokenizer is " + tokenizer.getClass().getSimpleName()
                    + "; GGUF export maps character and byte-level BPE tokenizers to llama.cpp's (WordPiece is"
                    + " BERT's and has no Llama model)");
        }
        int firstPad = tokens.size();
        for (int id = tokens.size(); id < modelVocab; id++) {
            tokens.add("[PAD" + id + "]");
            types.add((long) UNUSED);
        }
        w.put("tokenizer.ggml.model", GgufValue.string(summary.model()));
        if (summary.pre() != null) {
            w.put("tokenizer.ggml.pre", GgufValue.string(summary.pre()));
        }
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, tokens));
        if (tokenizer instanceof CharTokenizer) {
            w.put("tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32,
                    Collections.nCopies(tokens.size(), 0f)));
        }
        w.put("tokenizer.ggml.token_type", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, List.copyOf(types)));
        if (tokenizer instanceof ByteLevelBpeTokenizer b) {
            List<String> merges = new ArrayList<>();
            for (BpeMerge m : b.merges()) {
                merges.add(m.left() + " " + m.right());
            }
            w.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, merges));
        }
        if (generation.bosTokenId() >= 0) {
            w.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(generation.bosTokenId()));
        }
        List<Integer> eos = generation.eosTokenIds();
        if (!eos.isEmpty()) {
            w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(eos.getFirst()));
            if (eos.size() > 1) {
                warnings.add("generation_config.json names " + eos.size() + " end tokens " + eos + "; GGUF's"
                        + " tokenizer.ggml.eos_token_id holds one, so llama.cpp stops only at " + eos.getFirst());
            }
        } else if (firstPad < modelVocab) {
            w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(firstPad));
            warnings.add("the model names no end token; tokenizer.ggml.eos_token_id is the unused id " + firstPad
                    + " so that llama.cpp does not stop at its default");
        } else {
            int dflt = summary.model().equals("llama") ? 2 : 11;
            warnings.add("the model names no end token and has no spare id; llama.cpp then stops at its default"
                    + " end id " + dflt + (dflt < tokens.size() ? " ('" + tokens.get(dflt) + "')" : "")
                    + " while Hearth does not stop");
        }
        if (unk >= 0) {
            w.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(unk));
        }
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(false));
        w.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        if (tokenizer instanceof CharTokenizer) {
            w.put("tokenizer.ggml.add_space_prefix", GgufValue.bool(false));
        }
        return summary;
    }

    /** Fills the character vocabulary; returns the unknown token's id or -1. */
    private static int chars(CharTokenizer c, List<String> tokens, List<Long> types) {
        int unk = c.unknownTokenId().orElse(-1);
        Set<String> seen = new HashSet<>();
        List<AddedToken> added = c.addedTokens();
        for (int id = 0; id < c.vocabSize(); id++) {
            String t;
            try {
                t = c.token(id);
            } catch (TokenizerException e) {
                tokens.add("[PAD" + id + "]");
                types.add((long) UNUSED);
                continue;
            }
            AddedToken a = addedById(added, id);
            long type;
            if (id == unk) {
                type = UNKNOWN;
            } else if (a != null) {
                checkAdded(a);
                type = a.special() ? CONTROL : USER_DEFINED;
            } else if (t.codePointCount(0, t.length()) == 1) {
                if (t.equals(SPACE)) {
                    throw new GgufExportException("the character vocabulary holds U+2581 ('" + SPACE + "'), which"
                            + " llama.cpp's SentencePiece tokenizer uses for the space; it cannot tell the two apart");
                }
                t = t.replace(" ", SPACE);
                type = NORMAL;
            } else {
                throw new GgufExportException("the character vocabulary holds '" + t + "' (id " + id + "), which is"
                        + " neither one character nor an added or unknown token");
            }
            tokens.add(t);
            types.add(type);
            seen.add(t);
        }
        for (String t : tokens) {
            int n = t.codePointCount(0, t.length());
            for (int k = 1; k < n; k++) {
                int cut = t.offsetByCodePoints(0, k);
                if (seen.contains(t.substring(0, cut)) && seen.contains(t.substring(cut))) {
                    throw new GgufExportException("the token '" + t + "' is '" + t.substring(0, cut) + "' + '"
                            + t.substring(cut) + "', two other tokens; llama.cpp's SentencePiece tokenizer would merge"
                            + " them into it where Hearth keeps characters apart");
                }
            }
        }
        return unk;
    }

    /** Fills the byte-level vocabulary; returns the pre-tokenizer's name in llama.cpp. */
    private static String bpe(ByteLevelBpeTokenizer b, List<String> tokens, List<Long> types) {
        if (!b.normalizer().isIdentity()) {
            throw new GgufExportException("the tokenizer normalizes text (" + b.normalizer() + ") before splitting;"
                    + " llama.cpp's BPE tokenizer does not, so the ids would differ");
        }
        if (b.byteLevelOptions().addPrefixSpace()) {
            throw new GgufExportException("the tokenizer adds a space before the text (add_prefix_space);"
                    + " llama.cpp's BPE tokenizer does not, so the ids would differ");
        }
        List<SplitPattern> splits = b.splitPatterns();
        String pre;
        boolean ignoreMerges = false;
        if (splits.isEmpty() && b.byteLevelOptions().useRegex()) {
            pre = "gpt-2";
        } else if (splits.equals(List.of(SplitPattern.LLAMA3)) && !b.byteLevelOptions().useRegex()) {
            pre = "llama-bpe";
            ignoreMerges = true;
        } else if (splits.equals(List.of(SplitPattern.QWEN2)) && !b.byteLevelOptions().useRegex()) {
            pre = "qwen2";
        } else {
            throw new GgufExportException("the tokenizer splits text with " + splits + (b.byteLevelOptions().useRegex()
                    ? " and GPT-2's regex" : "") + "; llama.cpp names only GPT-2's, Llama 3's and Qwen2's splits alone");
        }
        if (b.ignoresMerges() != ignoreMerges) {
            throw new GgufExportException("the tokenizer " + (b.ignoresMerges() ? "sets" : "does not set")
                    + " ignore_merges, but llama.cpp's '" + pre + "' pre-tokenizer " + (ignoreMerges ? "does" : "does not"));
        }
        List<AddedToken> added = b.addedTokens();
        for (int id = 0; id < b.vocabSize(); id++) {
            AddedToken a = addedById(added, id);
            String t;
            try {
                t = b.token(id);
            } catch (TokenizerException e) {
                tokens.add("[PAD" + id + "]");
                types.add((long) UNUSED);
                continue;
            }
            if (a != null) {
                checkAdded(a);
            }
            tokens.add(t);
            types.add(a == null ? (long) NORMAL : a.special() ? CONTROL : USER_DEFINED);
        }
        return pre;
    }

    private static AddedToken addedById(List<AddedToken> added, int id) {
        for (AddedToken a : added) {
            if (a.id() == id) {
                return a;
            }
        }
        return null;
    }

    private static void checkAdded(AddedToken a) {
        if (a.lstrip() || a.rstrip() || a.singleWord()) {
            throw new GgufExportException("the added token '" + a.content() + "' (id " + a.id() + ") strips spaces"
                    + " or matches whole words only; GGUF's token types cannot say so");
        }
    }
}
