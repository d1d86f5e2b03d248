package dev.hearth.engine.tokenize;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes Hugging Face's {@code tokenizer.json}: the top-level fields in Hugging Face's order,
 * the vocabulary in id order, merges as {@code "left right"} strings (arrays when a token holds a
 * space), pretty-printed with two-space indents as {@code tokenizers} writes it. The same
 * tokenizer always gives the same bytes.
 */
final class TokenizerJsonWriter {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJsonWriter() {}

    static void write(ObjectNode root, Path file) {
        byte[] bytes;
        try {
            DefaultIndenter indent = new DefaultIndenter("  ", "\n");
            Separators separators = Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator("");
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators)
                    .withObjectIndenter(indent)
                    .withArrayIndenter(indent);
            bytes = JSON.writer(printer).writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerFileException(file, null, "could not be serialized: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new TokenizerFileException(file, null, "could not be written: " + e
                    + "; check that the folder exists, is writable and has space", e);
        }
    }

    static ObjectNode toJson(ByteLevelBpeTokenizer t) {
        ObjectNode root = header(t.added, t.truncation, t.padding);
        root.set("normalizer", normalizer(t.normalizer));
        ByteLevelPreTokenizer pre = t.preTokenizer;
        if (pre.splits.isEmpty()) {
            root.set("pre_tokenizer", byteLevel(pre.options));
        } else {
            ObjectNode seq = typed("Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            for (SplitPattern p : pre.splits) {
                ObjectNode split = typed("Split");
                split.putObject("pattern").put("Regex", p.regex());
                split.put("behavior", "Isolated");
                split.put("invert", false);
                list.add(split);
            }
            list.add(byteLevel(pre.options));
            root.set("pre_tokenizer", seq);
        }
        root.set("post_processor", postProcessor(t.postProcessor));
        root.set("decoder", byteLevel(t.decoder));
        BpeModel m = t.model;
        ObjectNode model = typed("BPE");
        model.putNull("dropout");
        putNullable(model, "unk_token", m.unkToken);
        putNullable(model, "continuing_subword_prefix", m.continuingSubwordPrefix);
        putNullable(model, "end_of_word_suffix", m.endOfWordSuffix);
        model.put("fuse_unk", m.fuseUnk);
        model.put("byte_fallback", false);
        model.put("ignore_merges", m.ignoreMerges);
        model.set("vocab", vocab(m.vocab));
        List<String[]> pairs = m.mergePairs();
        boolean spaces = pairs.stream().anyMatch(p -> p[0].contains(" ") || p[1].contains(" "));
        ArrayNode merges = model.putArray("merges");
        for (String[] p : pairs) {
            if (spaces) {
                merges.addArray().add(p[0]).add(p[1]);
            } else {
                merges.add(p[0] + " " + p[1]);
            }
        }
        root.set("model", model);
        return root;
    }

    static ObjectNode toJson(WordPieceTokenizer t) {
        ObjectNode root = header(t.added, t.truncation, t.padding);
        root.set("normalizer", normalizer(t.normalizer));
        root.set("pre_tokenizer", typed("BertPreTokenizer"));
        root.set("post_processor", postProcessor(t.postProcessor));
        if (t.decoder == null) {
            root.putNull("decoder");
        } else {
            ObjectNode d = typed("WordPiece");
            d.put("prefix", t.decoder.prefix());
            d.put("cleanup", t.decoder.cleanup());
            root.set("decoder", d);
        }
        ObjectNode model = typed("WordPiece");
        model.put("unk_token", t.unkToken);
        model.put("continuing_subword_prefix", t.prefix);
        model.put("max_input_chars_per_word", t.maxInputCharsPerWord);
        model.set("vocab", vocab(t.vocabArray()));
        root.set("model", model);
        return root;
    }

    static ObjectNode toJson(CharTokenizer t) {
        ObjectNode root = header(t.added, t.truncation, t.padding);
        root.putNull("normalizer");
        ObjectNode split = typed("Split");
        split.putObject("pattern").put("Regex", CharTokenizer.EVERY_CHARACTER);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        root.set("pre_tokenizer", split);
        root.set("post_processor", postProcessor(t.postProcessor));
        root.set("decoder", typed("Fuse"));
        ObjectNode model = typed("WordLevel");
        model.set("vocab", vocab(t.vocabArray()));
        // Hugging Face requires a string; one absent from the vocabulary means "none": unknown characters are errors.
        model.put("unk_token", t.unkTokenName() == null ? "<unk>" : t.unkTokenName());
        root.set("model", model);
        return root;
    }

    private static ObjectNode header(AddedTokens added, JsonNode truncation, JsonNode padding) {
        ObjectNode root = F.objectNode();
        root.put("version", "1.0");
        root.set("truncation", truncation == null ? F.nullNode() : truncation);
        root.set("padding", padding == null ? F.nullNode() : padding);
        ArrayNode list = root.putArray("added_tokens");
        for (AddedToken t : added.tokens()) {
            ObjectNode o = list.addObject();
            o.put("id", t.id());
            o.put("content", t.content());
            o.put("single_word", t.singleWord());
            o.put("lstrip", t.lstrip());
            o.put("rstrip", t.rstrip());
            o.put("normalized", t.normalized());
            o.put("special", t.special());
        }
        return root;
    }

    private static ObjectNode typed(String type) {
        ObjectNode o = F.objectNode();
        o.put("type", type);
        return o;
    }

    private static void putNullable(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    private static ObjectNode vocab(String[] vocab) {
        ObjectNode v = F.objectNode();
        for (int id = 0; id < vocab.length; id++) {
            if (vocab[id] != null) {
                v.put(vocab[id], id);
            }
        }
        return v;
    }

    private static ObjectNode byteLevel(ByteLevelOptions o) {
        ObjectNode n = typed("ByteLevel");
        n.put("add_prefix_space", o.addPrefixSpace());
        n.put("trim_offsets", o.trimOffsets());
        n.put("use_regex", o.useRegex());
        return n;
    }

    private static JsonNode normalizer(Normalizer n) {
        if (n == null || (n instanceof NormalizerSequence s && s.normalizers().isEmpty())) {
            return F.nullNode();
        }
        return switch (n) {
            case UnicodeNormalizer u -> typed(u.form().name());
            case LowercaseNormalizer l -> typed("Lowercase");
            case BertNormalizer b -> {
                ObjectNode o = typed("BertNormalizer");
                o.put("clean_text", b.cleanText());
                o.put("handle_chinese_chars", b.handleChineseChars());
                if (b.stripAccents() == null) {
                    o.putNull("strip_accents");
                } else {
                    o.put("strip_accents", b.stripAccents());
                }
                o.put("lowercase", b.lowercase());
                yield o;
            }
            case NormalizerSequence s -> {
                ObjectNode o = typed("Sequence");
                ArrayNode list = o.putArray("normalizers");
                s.normalizers().forEach(x -> list.add(normalizer(x)));
                yield o;
            }
        };
    }

    private static JsonNode postProcessor(PostProcessor p) {
        if (p == null) {
            return F.nullNode();
        }
        return switch (p) {
            case ByteLevelPostProcessor b -> {
                ObjectNode o = typed("ByteLevel");
                o.put("add_prefix_space", b.addPrefixSpace());
                o.put("trim_offsets", b.trimOffsets());
                o.put("use_regex", b.useRegex());
                yield o;
            }
            case PostProcessorSequence s -> {
                ObjectNode o = typed("Sequence");
                ArrayNode list = o.putArray("processors");
                s.processors().forEach(x -> list.add(postProcessor(x)));
                yield o;
            }
            case TemplatePostProcessor t -> {
                ObjectNode o = typed("TemplateProcessing");
                o.set("single", pieces(t.single()));
                o.set("pair", pieces(t.pair()));
                ObjectNode specials = o.putObject("special_tokens");
                t.specialTokens().forEach((name, tok) -> {
                    ObjectNode s = specials.putObject(name);
                    s.put("id", tok.id());
                    ArrayNode ids = s.putArray("ids");
                    tok.ids().forEach(ids::add);
                    ArrayNode tokens = s.putArray("tokens");
                    tok.tokens().forEach(tokens::add);
                });
                yield o;
            }
        };
    }

    private static ArrayNode pieces(List<TemplatePostProcessor.Piece> pieces) {
        ArrayNode a = F.arrayNode();
        for (TemplatePostProcessor.Piece p : pieces) {
            ObjectNode inner = a.addObject().putObject(p.isSequence() ? "Sequence" : "SpecialToken");
            inner.put("id", p.id());
            inner.put("type_id", p.typeId());
        }
        return a;
    }
}
