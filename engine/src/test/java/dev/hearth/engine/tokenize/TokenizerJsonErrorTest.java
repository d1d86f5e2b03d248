package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonErrorTest {
    @TempDir
    Path dir;

    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String json) {
        return assertThatThrownBy(() -> Tokenizer.fromJson(json)).isInstanceOf(TokenizerFileException.class);
    }

    private static String gpt2() {
        return HandWrittenFiles.gpt2(false);
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Tokenizer.load(missing))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
    }

    @Test
    void notJsonSaysWhere() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\n  \"model\": {\"type\": \"BPE\",,}\n}");
        assertThatThrownBy(() -> Tokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageStartingWith(file + ": is not valid JSON at line 2");
        loading("[1, 2]").hasMessageContaining("is not a JSON object");
    }

    @Test
    void aMissingModel() {
        loading("{\"version\": \"1.0\", \"added_tokens\": []}")
                .hasMessageContaining("model: is missing; a tokenizer.json needs a model object");
    }

    @Test
    void anUnknownModelType() {
        loading(gpt2().replace("\"type\": \"BPE\"", "\"type\": \"Unigram\""))
                .hasMessageContaining("model.type: \"Unigram\" is not supported")
                .hasMessageContaining("SentencePiece");
    }

    @Test
    void mergesReferringToTokensAbsentFromTheVocabulary() {
        loading(gpt2().replace("\"l d\"", "\"l x\""))
                .hasMessageContaining("model.merges[7]: \"l\" + \"x\" refers to the token \"x\", which is not in model.vocab");
        loading(gpt2().replace("\"ld\": 15", "\"lq\": 15"))
                .hasMessageContaining("model.merges[7]: \"l\" + \"d\" refers to the token \"ld\"");
        loading(gpt2().replace("\"l d\"", "\"l d e\""))
                .hasMessageContaining("model.merges[8]: \"l d e\" is not two tokens separated by one space");
    }

    @Test
    void duplicateIdsAndKeys() {
        loading(gpt2().replace("\"ld\": 15", "\"ld\": 14"))
                .hasMessageContaining("model.vocab: the tokens")
                .hasMessageContaining("both have id 14");
        loading(gpt2().replace("\"ld\": 15", "\"ld\": 15, \"h\": 3"))
                .hasMessageContaining("not valid JSON").hasMessageContaining("Duplicate field 'h'");
        loading(gpt2().replace("\"id\": 16", "\"id\": 14"))
                .hasMessageContaining("the added token \"<|endoftext|>\" has id 14, which model.vocab gives to \"Ġwor\"");
        loading(gpt2().replace("\"vocab\": {", "\"vocab\": {\"x\": -3, "))
                .hasMessageContaining("model.vocab.x: -3 is not an id");
    }

    @Test
    void unsupportedPreTokenizersNormalizersAndOptions() {
        String qwen = HandWrittenFiles.qwen2();
        loading(qwen.replace("\\\\p{N}|", "\\\\p{N}+|"))
                .hasMessageContaining("pre_tokenizer.pretokenizers[0].pattern.Regex: \"(?i:'s")
                .hasMessageContaining("is not a pattern Hearth implements exactly");
        loading(qwen.replace("\"Isolated\"", "\"MergedWithPrevious\""))
                .hasMessageContaining("pre_tokenizer.pretokenizers[0].behavior: \"MergedWithPrevious\" is not supported");
        loading(qwen.replace("{\"type\": \"NFC\"}", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"\"}"))
                .hasMessageContaining("normalizer.type: \"Precompiled\" is not supported");
        loading(gpt2().replace("\"type\": \"ByteLevel\",\n    \"add_prefix_space\": false",
                "\"type\": \"Metaspace\",\n    \"add_prefix_space\": false"))
                .hasMessageContaining("pre_tokenizer.type: \"Metaspace\" is not supported for a BPE model");
        loading(gpt2().replace("\"byte_fallback\": false", "\"byte_fallback\": true"))
                .hasMessageContaining("model.byte_fallback: true");
        loading(gpt2().replace("\"dropout\": null", "\"dropout\": 0.1"))
                .hasMessageContaining("model.dropout: 0.1");
        loading(gpt2().replace("\"continuing_subword_prefix\": \"\"", "\"continuing_subword_prefix\": \"##\""))
                .hasMessageContaining("model.continuing_subword_prefix: \"##\"");
        loading(HandWrittenFiles.bert(100).replace("BertPreTokenizer", "Whitespace"))
                .hasMessageContaining("pre_tokenizer: \"Whitespace\" is not supported for a WordPiece model");
    }

    @Test
    void aBpeWithoutByteLevelPiecesIsRefused() {
        String nullPre = gpt2().replaceFirst("(?s)\"pre_tokenizer\": \\{.*?\\},\n  \"post_processor\"",
                "\"pre_tokenizer\": null,\n  \"post_processor\"");
        loading(nullPre).hasMessageContaining("pre_tokenizer: is null").hasMessageContaining("Llama 2");
        String nullDecoder = gpt2().replaceFirst("(?s)\"decoder\": \\{.*?\\},\n  \"model\"",
                "\"decoder\": null,\n  \"model\"");
        loading(nullDecoder).hasMessageContaining("decoder: is null");
    }

    @Test
    void templatesNamingUndefinedTokens() {
        loading(HandWrittenFiles.bert(100).replace("\"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [3], \"tokens\": [\"[SEP]\"]}",
                "\"[SEPX]\": {\"id\": \"[SEPX]\", \"ids\": [3], \"tokens\": [\"[SEPX]\"]}"))
                .hasMessageContaining("post_processor: the template names the special token '[SEP]'");
        loading(HandWrittenFiles.bert(100).replace("\"ids\": [3]", "\"ids\": [300]"))
                .hasMessageContaining("post_processor.special_tokens.[SEP].ids[0]: 300 is not an id");
    }

    @Test
    void theFileIsNamedInTheMessage() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, gpt2().replace("\"type\": \"BPE\"", "\"type\": \"Unigram\""));
        assertThatThrownBy(() -> Tokenizer.load(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageStartingWith(file + ": model.type:")
                .matches(e -> ((TokenizerFileException) e).field().equals("model.type"))
                .matches(e -> ((TokenizerFileException) e).file().equals(file));
    }
}
