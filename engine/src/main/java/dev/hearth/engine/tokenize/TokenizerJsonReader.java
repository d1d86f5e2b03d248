package dev.hearth.engine.tokenize;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hearth.engine.io.StoredFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Hugging Face's {@code tokenizer.json} into the implementation its model needs, checking
 * everything it relies on; see docs/tokenizers.md for what is supported. Anything Hearth does not
 * implement exactly is refused with a {@link TokenizerFileException} naming the field and value,
 * never approximated.
 */
final class TokenizerJsonReader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path file;

    private TokenizerJsonReader(Path file) {
        this.file = file;
    }

    static Tokenizer read(Path file) {
        String text;
        try {
            text = StoredFiles.readString(file); // plain or encrypted at rest
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, null, "no such file; give the path of a tokenizer.json");
        } catch (IOException e) {
            throw new TokenizerFileException(file, null, "could not be read as UTF-8 text: " + e.getMessage(), e);
        }
        return parse(text, file);
    }

    static Tokenizer parse(String json, Path file) {
        return new TokenizerJsonReader(file).parse(json);
    }

    private TokenizerFileException error(String field, String problem) {
        return new TokenizerFileException(file, field, problem);
    }

    private Tokenizer parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new TokenizerFileException(file, null, "is not valid JSON" + where + ": " + e.getOriginalMessage()
                    + "; a tokenizer.json must be one JSON object", e);
        }
        if (root == null || !root.isObject()) {
            throw error(null, "is not a JSON object; a tokenizer.json is an object with a \"model\" field");
        }
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw error("model", "is missing; a tokenizer.json needs a model object (BPE, WordPiece or WordLevel)");
        }
        if (!model.isObject()) {
            throw error("model", "is " + model.getNodeType().toString().toLowerCase() + ", not an object");
        }
        String type = modelType(model);
        Normalizer normalizer = normalizer(root.get("normalizer"), "normalizer");
        List<AddedToken> added = addedTokens(root.get("added_tokens"));
        JsonNode truncation = nullToNull(root.get("truncation"));
        JsonNode padding = nullToNull(root.get("padding"));
        return switch (type) {
            case "BPE" -> bpe(root, model, normalizer, added, truncation, padding);
            case "WordPiece" -> wordPiece(root, model, normalizer, added, truncation, padding);
            case "WordLevel" -> charLevel(root, model, normalizer, added, truncation, padding);
            default -> throw error("model.type", quote(type) + " is not supported; Hearth reads \"BPE\" "
                    + "(byte-level), \"WordPiece\" and \"WordLevel\" (character-level) models"
                    + (type.equals("Unigram") ? " (Unigram is SentencePiece's model, as in T5 and XLNet)" : ""));
        };
    }

    private static JsonNode nullToNull(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private String modelType(JsonNode model) {
        JsonNode t = model.get("type");
        if (t != null && !t.isNull()) {
            if (!t.isTextual()) {
                throw error("model.type", "is " + t + ", not a string such as \"BPE\"");
            }
            return t.asText();
        }
        // Files from old versions of Hugging Face tokenizers have no type: infer it as they do.
        if (model.has("merges")) {
            return "BPE";
        }
        if (model.has("max_input_chars_per_word") || model.has("continuing_subword_prefix")) {
            return "WordPiece";
        }
        if (model.has("vocab") && model.get("vocab").isObject() && model.has("unk_token")) {
            return "WordLevel";
        }
        throw error("model.type", "is missing and the model's fields do not say which model it is; add \"type\"");
    }

    // ---- shared components ----------------------------------------------------------------

    private List<AddedToken> addedTokens(JsonNode node) {
        List<AddedToken> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw error("added_tokens", "is not an array");
        }
        Map<Integer, String> ids = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "added_tokens[" + i + "]";
            JsonNode t = node.get(i);
            if (!t.isObject()) {
                throw error(path, "is not an object with id and content");
            }
            int id = intField(t, "id", path, -1);
            if (id < 0) {
                throw error(path + ".id", "is missing or negative; each added token needs its id");
            }
            String content = textField(t, "content", path, null);
            if (content == null || content.isEmpty()) {
                throw error(path + ".content", "is missing or empty");
            }
            String before = ids.putIfAbsent(id, content);
            if (before != null) {
                throw error(path + ".id", id + " is also the id of the added token " + quote(before)
                        + "; each added token needs its own id");
            }
            out.add(new AddedToken(id, content, boolField(t, "special", path, false),
                    boolField(t, "single_word", path, false), boolField(t, "lstrip", path, false),
                    boolField(t, "rstrip", path, false), boolField(t, "normalized", path, true)));
        }
        try {
            new AddedTokens(out);
        } catch (TokenizerException e) {
            throw error("added_tokens", e.getMessage());
        }
        return out;
    }

    private Normalizer normalizer(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Normalizer.none();
        }
        String type = typeOf(node, path);
        return switch (type) {
            case "NFC" -> new UnicodeNormalizer(Form.NFC);
            case "NFD" -> new UnicodeNormalizer(Form.NFD);
            case "NFKC" -> new UnicodeNormalizer(Form.NFKC);
            case "NFKD" -> new UnicodeNormalizer(Form.NFKD);
            case "Lowercase" -> new LowercaseNormalizer();
            case "BertNormalizer" -> new BertNormalizer(boolField(node, "clean_text", path, true),
                    boolField(node, "handle_chinese_chars", path, true),
                    node.has("strip_accents") && !node.get("strip_accents").isNull()
                            ? boolField(node, "strip_accents", path, false) : null,
                    boolField(node, "lowercase", path, true));
            case "Sequence" -> {
                JsonNode list = arrayField(node, "normalizers", path);
                List<Normalizer> parts = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    parts.add(normalizer(list.get(i), path + ".normalizers[" + i + "]"));
                }
                yield new NormalizerSequence(parts);
            }
            default -> throw error(path + ".type", quote(type) + " is not supported; Hearth implements the "
                    + "normalizers NFC, NFD, NFKC, NFKD, Lowercase, BertNormalizer and Sequence of them"
                    + (type.equals("Prepend") || type.equals("Replace") || type.equals("Precompiled")
                            ? " (" + type + " belongs to SentencePiece-style tokenizers such as Llama 2, which Hearth "
                                    + "does not read)" : ""));
        };
    }

    private PostProcessor postProcessor(JsonNode node, String path, int vocabSize) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = typeOf(node, path);
        return switch (type) {
            case "ByteLevel" -> new ByteLevelPostProcessor(boolField(node, "add_prefix_space", path, true),
                    boolField(node, "trim_offsets", path, true), boolField(node, "use_regex", path, true));
            case "TemplateProcessing" -> template(node, path, vocabSize);
            case "BertProcessing", "RobertaProcessing" -> {
                int[] cls = tokenAndId(node, "cls", path, vocabSize);
                int[] sep = tokenAndId(node, "sep", path, vocabSize);
                String clsToken = node.get("cls").get(0).asText();
                String sepToken = node.get("sep").get(0).asText();
                List<TemplatePostProcessor.Piece> single = List.of(
                        TemplatePostProcessor.Piece.specialToken(clsToken, 0),
                        TemplatePostProcessor.Piece.sequence("A", 0),
                        TemplatePostProcessor.Piece.specialToken(sepToken, 0));
                List<TemplatePostProcessor.Piece> pair = new ArrayList<>(single);
                if (type.equals("RobertaProcessing")) {
                    pair.add(TemplatePostProcessor.Piece.specialToken(sepToken, 0));
                    pair.add(TemplatePostProcessor.Piece.sequence("B", 0));
                    pair.add(TemplatePostProcessor.Piece.specialToken(sepToken, 0));
                } else {
                    pair.add(TemplatePostProcessor.Piece.sequence("B", 1));
                    pair.add(TemplatePostProcessor.Piece.specialToken(sepToken, 1));
                }
                Map<String, TemplatePostProcessor.TemplateToken> tokens = new LinkedHashMap<>();
                tokens.put(clsToken,
                        new TemplatePostProcessor.TemplateToken(clsToken, List.of(cls[0]), List.of(clsToken)));
                tokens.put(sepToken,
                        new TemplatePostProcessor.TemplateToken(sepToken, List.of(sep[0]), List.of(sepToken)));
                yield new TemplatePostProcessor(single, pair, tokens);
            }
            case "Sequence" -> {
                JsonNode list = arrayField(node, "processors", path);
                List<PostProcessor> parts = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    PostProcessor p = postProcessor(list.get(i), path + ".processors[" + i + "]", vocabSize);
                    if (p != null) {
                        parts.add(p);
                    }
                }
                yield new PostProcessorSequence(parts);
            }
            default -> throw error(path + ".type", quote(type) + " is not supported; Hearth implements the "
                    + "post-processors TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel and Sequence");
        };
    }

    private int[] tokenAndId(JsonNode node, String field, String path, int vocabSize) {
        JsonNode pair = node.get(field);
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()
                || !pair.get(1).canConvertToInt()) {
            throw error(path + "." + field, "must be [token, id], such as [\"[CLS]\", 101]");
        }
        int id = pair.get(1).asInt();
        if (id < 0 || id >= vocabSize) {
            throw error(path + "." + field, "id " + id + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
        }
        return new int[] {id};
    }

    private TemplatePostProcessor template(JsonNode node, String path, int vocabSize) {
        Map<String, TemplatePostProcessor.TemplateToken> tokens = new LinkedHashMap<>();
        JsonNode specials = node.get("special_tokens");
        if (specials != null && !specials.isNull()) {
            if (!specials.isObject()) {
                throw error(path + ".special_tokens", "is not an object");
            }
            for (Map.Entry<String, JsonNode> e : specials.properties()) {
                String p = path + ".special_tokens." + e.getKey();
                JsonNode v = e.getValue();
                String id = textField(v, "id", p, e.getKey());
                JsonNode idsNode = arrayField(v, "ids", p);
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < idsNode.size(); i++) {
                    JsonNode x = idsNode.get(i);
                    if (!x.canConvertToInt() || x.asInt() < 0 || x.asInt() >= vocabSize) {
                        throw error(p + ".ids[" + i + "]",
                                x + " is not an id of the vocabulary (0.." + (vocabSize - 1) + ")");
                    }
                    ids.add(x.asInt());
                }
                JsonNode tokNode = v.get("tokens");
                List<String> toks = new ArrayList<>();
                if (tokNode != null && tokNode.isArray()) {
                    tokNode.forEach(t -> toks.add(t.asText()));
                }
                tokens.put(e.getKey(), new TemplatePostProcessor.TemplateToken(id, ids, toks));
            }
        }
        List<TemplatePostProcessor.Piece> single = templatePieces(node.get("single"), path + ".single");
        List<TemplatePostProcessor.Piece> pair = node.has("pair") && !node.get("pair").isNull()
                ? templatePieces(node.get("pair"), path + ".pair") : List.of();
        try {
            return new TemplatePostProcessor(single, pair, tokens);
        } catch (TokenizerException e) {
            throw error(path, e.getMessage());
        }
    }

    private List<TemplatePostProcessor.Piece> templatePieces(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw error(path, "is missing or not an array of template pieces");
        }
        List<TemplatePostProcessor.Piece> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode p = node.get(i);
            String at = path + "[" + i + "]";
            if (p.has("Sequence")) {
                JsonNode s = p.get("Sequence");
                out.add(TemplatePostProcessor.Piece.sequence(textField(s, "id", at + ".Sequence", "A"),
                        intField(s, "type_id", at + ".Sequence", 0)));
            } else if (p.has("SpecialToken")) {
                JsonNode s = p.get("SpecialToken");
                String id = textField(s, "id", at + ".SpecialToken", null);
                if (id == null) {
                    throw error(at + ".SpecialToken.id", "is missing");
                }
                out.add(TemplatePostProcessor.Piece.specialToken(id, intField(s, "type_id", at + ".SpecialToken", 0)));
            } else {
                throw error(at, "is neither {\"Sequence\": ...} nor {\"SpecialToken\": ...}");
            }
        }
        return out;
    }

    // ---- BPE --------------------------------------------------------------------------------

    private Tokenizer bpe(JsonNode root, JsonNode model, Normalizer normalizer, List<AddedToken> added,
            JsonNode truncation, JsonNode padding) {
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
            throw error("model.dropout", dropout + ": BPE dropout makes encoding random, and Hearth encodes "
                    + "deterministically; set it to null to load the tokenizer for inference");
        }
        if (boolField(model, "byte_fallback", "model", false)) {
            throw error("model.byte_fallback", "true: byte fallback (<0x41> tokens) belongs to SentencePiece-style BPE "
                    + "such as Llama 2 and Mistral; Hearth reads byte-level BPE (GPT-2, Llama 3, Qwen2)");
        }
        String prefix = textField(model, "continuing_subword_prefix", "model", null);
        String suffix = textField(model, "end_of_word_suffix", "model", null);
        if (prefix != null && !prefix.isEmpty()) {
            throw error("model.continuing_subword_prefix", quote(prefix) + ": a byte-level BPE has no subword prefix; "
                    + "Hearth reads byte-level BPE only");
        }
        if (suffix != null && !suffix.isEmpty()) {
            throw error("model.end_of_word_suffix", quote(suffix) + ": a byte-level BPE has no end-of-word suffix; "
                    + "Hearth reads byte-level BPE only");
        }
        String unk = textField(model, "unk_token", "model", null);
        Map<String, Integer> ids = vocab(model);
        String[] vocab = vocabArray(ids);
        JsonNode merges = model.get("merges");
        if (merges == null || !merges.isArray()) {
            throw error("model.merges", "is missing or not an array; a BPE model needs its merges");
        }
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < merges.size(); i++) {
            JsonNode m = merges.get(i);
            String path = "model.merges[" + i + "]";
            String[] pair;
            if (m.isTextual()) {
                if (m.asText().startsWith("#version")) {
                    continue;
                }
                pair = m.asText().split(" ", -1);
                if (pair.length != 2) {
                    throw error(path, quote(m.asText()) + " is not two tokens separated by one space; write "
                            + "merges whose tokens contain spaces as [\"left\", \"right\"] arrays");
                }
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                pair = new String[] {m.get(0).asText(), m.get(1).asText()};
            } else {
                throw error(path, m + " is neither \"left right\" nor [\"left\", \"right\"]");
            }
            pairs.add(pair);
        }
        int[] left = new int[pairs.size()];
        int[] right = new int[pairs.size()];
        int[] created = new int[pairs.size()];
        for (int r = 0; r < pairs.size(); r++) {
            String[] p = pairs.get(r);
            String path = "model.merges[" + r + "]";
            Integer a = ids.get(p[0]);
            Integer b = ids.get(p[1]);
            Integer c = ids.get(p[0] + p[1]);
            if (a == null || b == null || c == null) {
                String missing = a == null ? p[0] : b == null ? p[1] : p[0] + p[1];
                throw error(path, quote(p[0]) + " + " + quote(p[1]) + " refers to the token " + quote(missing)
                        + ", which is not in model.vocab; the merges and the vocabulary do not belong together");
            }
            left[r] = a;
            right[r] = b;
            created[r] = c;
        }
        ByteLevelPreTokenizer preTokenizer = byteLevelPreTokenizer(root.get("pre_tokenizer"));
        ByteLevelOptions decoder = byteLevelDecoder(root.get("decoder"));
        int vocabSize = Math.max(vocab.length, maxId(added) + 1);
        checkAddedAgainstVocab(added, vocab);
        PostProcessor post = postProcessor(root.get("post_processor"), "post_processor", vocabSize);
        BpeModel bpe = new BpeModel(vocab, ids, left, right, created, unk, boolField(model, "fuse_unk", "model", false),
                boolField(model, "ignore_merges", "model", false), prefix, suffix);
        return new ByteLevelBpeTokenizer(bpe, normalizer, preTokenizer, decoder, post, new AddedTokens(added),
                truncation, padding);
    }

    private ByteLevelPreTokenizer byteLevelPreTokenizer(JsonNode node) {
        String path = "pre_tokenizer";
        if (node == null || node.isNull()) {
            throw error(path, "is null: a BPE model without a ByteLevel pre-tokenizer is not byte-level (as "
                    + "SentencePiece-style BPE such as Llama 2 is not); Hearth reads byte-level BPE only");
        }
        String type = typeOf(node, path);
        if (type.equals("ByteLevel")) {
            return new ByteLevelPreTokenizer(List.of(), byteLevelOptions(node, path));
        }
        if (!type.equals("Sequence")) {
            throw error(path + ".type", quote(type) + " is not supported for a BPE model; Hearth reads ByteLevel, "
                    + "or a Sequence of Split pre-tokenizers followed by ByteLevel");
        }
        JsonNode list = arrayField(node, "pretokenizers", path);
        List<SplitPattern> splits = new ArrayList<>();
        ByteLevelOptions options = null;
        for (int i = 0; i < list.size(); i++) {
            JsonNode p = list.get(i);
            String at = path + ".pretokenizers[" + i + "]";
            String t = typeOf(p, at);
            if (options != null) {
                throw error(at, quote(t) + " comes after ByteLevel; Hearth reads Split pre-tokenizers before "
                        + "ByteLevel only");
            }
            switch (t) {
                case "Split" -> splits.add(split(p, at));
                case "ByteLevel" -> options = byteLevelOptions(p, at);
                default -> throw error(at + ".type", quote(t) + " is not supported in a byte-level BPE; Hearth reads "
                        + "Split (with the GPT-2, Llama 3 or Qwen2 regex) and ByteLevel");
            }
        }
        if (options == null) {
            throw error(path + ".pretokenizers", "has no ByteLevel pre-tokenizer, so the model is not byte-level; "
                    + "Hearth reads byte-level BPE only");
        }
        return new ByteLevelPreTokenizer(splits, options);
    }

    private SplitPattern split(JsonNode node, String path) {
        JsonNode pattern = node.get("pattern");
        if (pattern == null || !pattern.isObject()) {
            throw error(path + ".pattern", "is missing; a Split needs {\"Regex\": ...}");
        }
        if (!pattern.has("Regex")) {
            throw error(path + ".pattern", pattern + " is not supported; Hearth reads Split with a Regex pattern "
                    + "(GPT-2's, Llama 3's or Qwen2's)");
        }
        String regex = pattern.get("Regex").asText();
        String behavior = textField(node, "behavior", path, "Isolated");
        if (!behavior.equals("Isolated")) {
            throw error(path + ".behavior", quote(behavior) + " is not supported; Hearth reads Split with "
                    + "behavior \"Isolated\"");
        }
        if (boolField(node, "invert", path, false)) {
            throw error(path + ".invert", "true is not supported; Hearth reads Split with invert false");
        }
        return SplitPattern.forRegex(regex).orElseThrow(() -> error(path + ".pattern.Regex", quote(regex)
                + " is not a pattern Hearth implements exactly; supported are GPT-2's, Llama 3's and Qwen2's ("
                + String.join(", ", SplitPattern.all().stream().map(p -> quote(p.regex())).toList()) + ")"));
    }

    private ByteLevelOptions byteLevelOptions(JsonNode node, String path) {
        return new ByteLevelOptions(boolField(node, "add_prefix_space", path, true),
                boolField(node, "trim_offsets", path, true), boolField(node, "use_regex", path, true));
    }

    private ByteLevelOptions byteLevelDecoder(JsonNode node) {
        String path = "decoder";
        if (node == null || node.isNull()) {
            throw error(path, "is null: a byte-level BPE needs the ByteLevel decoder to turn tokens back into bytes");
        }
        String type = typeOf(node, path);
        if (type.equals("ByteLevel")) {
            return byteLevelOptions(node, path);
        }
        if (type.equals("Sequence")) {
            JsonNode list = arrayField(node, "decoders", path);
            if (list.size() == 1 && typeOf(list.get(0), path + ".decoders[0]").equals("ByteLevel")) {
                return byteLevelOptions(list.get(0), path + ".decoders[0]");
            }
        }
        throw error(path + ".type", quote(type) + " is not supported for a byte-level BPE; Hearth reads the "
                + "ByteLevel decoder");
    }

    // ---- WordPiece --------------------------------------------------------------------------

    private Tokenizer wordPiece(JsonNode root, JsonNode model, Normalizer normalizer, List<AddedToken> added,
            JsonNode truncation, JsonNode padding) {
        String unk = textField(model, "unk_token", "model", "[UNK]");
        String prefix = textField(model, "continuing_subword_prefix", "model", "##");
        int maxChars = intField(model, "max_input_chars_per_word", "model", 100);
        Map<String, Integer> ids = vocab(model);
        String[] vocab = vocabArray(ids);
        JsonNode pre = root.get("pre_tokenizer");
        if (pre == null || pre.isNull() || !typeOf(pre, "pre_tokenizer").equals("BertPreTokenizer")) {
            String what = pre == null || pre.isNull() ? "null" : quote(typeOf(pre, "pre_tokenizer"));
            throw error("pre_tokenizer", what + " is not supported for a WordPiece model; Hearth reads "
                    + "BertPreTokenizer");
        }
        WordPieceDecoderOptions decoder = null;
        JsonNode dec = root.get("decoder");
        if (dec != null && !dec.isNull()) {
            String type = typeOf(dec, "decoder");
            if (!type.equals("WordPiece")) {
                throw error("decoder.type", quote(type) + " is not supported for a WordPiece model; Hearth reads the "
                        + "WordPiece decoder");
            }
            decoder = new WordPieceDecoderOptions(textField(dec, "prefix", "decoder", "##"),
                    boolField(dec, "cleanup", "decoder", true));
        }
        int vocabSize = Math.max(vocab.length, maxId(added) + 1);
        checkAddedAgainstVocab(added, vocab);
        PostProcessor post = postProcessor(root.get("post_processor"), "post_processor", vocabSize);
        return new WordPieceTokenizer(vocab, ids, unk, prefix, maxChars, normalizer, decoder, post,
                new AddedTokens(added), truncation, padding);
    }

    // ---- WordLevel as characters ----------------------------------------------------------

    private Tokenizer charLevel(JsonNode root, JsonNode model, Normalizer normalizer, List<AddedToken> added,
            JsonNode truncation, JsonNode padding) {
        if (!normalizer.isIdentity()) {
            throw error("normalizer", "must be null for a character-level tokenizer");
        }
        JsonNode pre = root.get("pre_tokenizer");
        boolean everyChar = pre != null && pre.isObject() && "Split".equals(pre.path("type").asText())
                && CharTokenizer.EVERY_CHARACTER.equals(pre.path("pattern").path("Regex").asText(null))
                && "Isolated".equals(pre.path("behavior").asText()) && !pre.path("invert").asBoolean(false);
        if (!everyChar) {
            throw error("pre_tokenizer", (pre == null || pre.isNull() ? "null" : pre.toString()) + " is not supported "
                    + "for a WordLevel model; Hearth reads WordLevel as a character tokenizer, whose pre-tokenizer is "
                    + "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"[\\\\s\\\\S]\"}, \"behavior\": \"Isolated\", "
                    + "\"invert\": false}");
        }
        JsonNode dec = root.get("decoder");
        if (dec == null || dec.isNull() || !typeOf(dec, "decoder").equals("Fuse")) {
            throw error("decoder", (dec == null || dec.isNull() ? "null" : dec.toString()) + " is not supported for a "
                    + "character tokenizer; it needs {\"type\": \"Fuse\"} so that characters join without spaces");
        }
        String unk = textField(model, "unk_token", "model", null);
        Map<String, Integer> ids = vocab(model);
        String[] vocab = vocabArray(ids);
        Map<String, AddedToken> addedByContent = new HashMap<>();
        added.forEach(t -> addedByContent.put(t.content(), t));
        for (int id = 0; id < vocab.length; id++) {
            String t = vocab[id];
            if (t != null && t.codePointCount(0, t.length()) != 1 && !addedByContent.containsKey(t) && !t.equals(unk)) {
                throw error("model.vocab." + t, "is not a single character, an added token or the unk_token; Hearth "
                        + "reads WordLevel as a character tokenizer");
            }
        }
        int vocabSize = Math.max(vocab.length, maxId(added) + 1);
        checkAddedAgainstVocab(added, vocab);
        String[] full = java.util.Arrays.copyOf(vocab, vocabSize);
        for (AddedToken t : added) {
            full[t.id()] = t.content();
        }
        PostProcessor post = postProcessor(root.get("post_processor"), "post_processor", vocabSize);
        return new CharTokenizer(full, unk, new AddedTokens(added), post, truncation, padding);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Map<String, Integer> vocab(JsonNode model) {
        JsonNode v = model.get("vocab");
        if (v == null || !v.isObject()) {
            throw error("model.vocab", "is missing or not an object of token -> id");
        }
        Map<String, Integer> ids = new HashMap<>(v.size() * 2);
        Map<Integer, String> tokens = new HashMap<>(v.size() * 2);
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode idNode = e.getValue();
            if (!idNode.canConvertToInt() || !idNode.isIntegralNumber() || idNode.asInt() < 0) {
                throw error("model.vocab." + e.getKey(), idNode + " is not an id (a non-negative integer)");
            }
            int id = idNode.asInt();
            String before = tokens.putIfAbsent(id, e.getKey());
            if (before != null) {
                throw error("model.vocab", "the tokens " + quote(before) + " and " + quote(e.getKey())
                        + " both have id " + id + "; each id must belong to one token");
            }
            ids.put(e.getKey(), id);
        }
        return ids;
    }

    private static String[] vocabArray(Map<String, Integer> ids) {
        int max = -1;
        for (int id : ids.values()) {
            max = Math.max(max, id);
        }
        String[] vocab = new String[max + 1];
        ids.forEach((t, id) -> vocab[id] = t);
        return vocab;
    }

    private static int maxId(List<AddedToken> added) {
        int max = -1;
        for (AddedToken t : added) {
            max = Math.max(max, t.id());
        }
        return max;
    }

    private void checkAddedAgainstVocab(List<AddedToken> added, String[] vocab) {
        for (int i = 0; i < added.size(); i++) {
            AddedToken t = added.get(i);
            if (t.id() < vocab.length && vocab[t.id()] != null && !vocab[t.id()].equals(t.content())) {
                throw error("added_tokens", "the added token " + quote(t.content()) + " has id " + t.id()
                        + ", which model.vocab gives to " + quote(vocab[t.id()]) + "; one id cannot be two tokens");
            }
        }
    }

    private String typeOf(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "is " + node + ", not an object with a \"type\"");
        }
        JsonNode t = node.get("type");
        if (t == null || !t.isTextual()) {
            throw error(path + ".type", "is missing; each component names its type");
        }
        return t.asText();
    }

    private JsonNode arrayField(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw error(path + "." + field, "is missing or not an array");
        }
        return v;
    }

    private boolean boolField(JsonNode node, String field, String path, boolean absent) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw error(path + "." + field, v + " is not true or false");
        }
        return v.asBoolean();
    }

    private int intField(JsonNode node, String field, String path, int absent) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(path + "." + field, v + " is not an integer");
        }
        return v.asInt();
    }

    private String textField(JsonNode node, String field, String path, String absent) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isTextual()) {
            throw error(path + "." + field, v + " is not a string");
        }
        return v.asText();
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
