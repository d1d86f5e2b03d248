package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {
    // [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4 the5 un6 ##aff7 ##able8 ,9 !10 你11 好12 hello13 he14 ##llo15 a16 ##a17 cafe18 '19
    private static final Tokenizer BERT = Tokenizer.fromJson(HandWrittenFiles.bert(100));

    @TempDir
    Path dir;

    @Test
    void greedyLongestMatchFirstWithContinuations() {
        assertThat(BERT).isInstanceOf(WordPieceTokenizer.class);
        // lower-cased, accents stripped, punctuation and each CJK ideograph a word of its own
        assertThat(BERT.encode("Unaffable, HÉLLO! 你好")).containsExactly(6, 7, 8, 9, 13, 10, 11, 12);
        // "hello" is in the vocabulary whole, so "hellollo" is hello + ##llo, not he + ##llo + ...
        assertThat(BERT.encode("hellollo")).containsExactly(13, 15);
        assertThat(BERT.encode("aaa")).containsExactly(16, 17, 17);
        assertThat(BERT.encode("Café")).containsExactly(18);
    }

    @Test
    void unmatchableAndOverlongWordsBecomeUnk() {
        assertThat(BERT.encode("the xyz hex")).containsExactly(5, 1, 1);
        Tokenizer shortWords = Tokenizer.fromJson(HandWrittenFiles.bert(4));
        assertThat(shortWords.encode("the hello")).containsExactly(5, 1);
        assertThat(shortWords.encode("aaaa")).containsExactly(16, 17, 17, 17);
    }

    @Test
    void clsAndSepComeFromTheTemplate() {
        assertThat(BERT.encode("the", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(2, 5, 3);
        assertThat(BERT.encode("the [SEP] the", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(2, 5, 3, 5, 3);
        // as text, [SEP] is [ SEP ] after lower-casing: [ is not in the vocabulary, so UNK
        assertThat(BERT.encode("[SEP]")).containsExactly(1, 1, 1);
    }

    @Test
    void decodesWithTheWordPieceDecoder() {
        int[] ids = BERT.encode("Unaffable, hello! don't", EncodeOptions.HUGGING_FACE_DEFAULT);
        // cleanup works token by token, as in Hugging Face: " ' " never occurs inside one token
        assertThat(BERT.decode(ids)).isEqualTo("[CLS] unaffable, hello! [UNK] ' [UNK] [SEP]");
        // [UNK] is special too, so skipping special tokens drops it, as in Hugging Face
        assertThat(BERT.decode(ids, true)).isEqualTo("unaffable, hello! '");
    }

    @Test
    void theBertNormalizerCleansPadsStripsAndLowercases() {
        BertNormalizer n = BertNormalizer.uncased();
        assertThat(n.normalize("A\u0000b\uFFFDc\u0007d\te\u00A0F")).isEqualTo("abcd e f");
        assertThat(n.normalize("x你y")).isEqualTo("x 你 y");
        assertThat(n.normalize("ÉCOLE Ångström")).isEqualTo("ecole angstrom");
        assertThat(n.normalize("ΣΑΣ")).isEqualTo("σασ");
        assertThat(BertNormalizer.cased().normalize("Ångström")).isEqualTo("Ångström");
        assertThat(new BertNormalizer(true, true, true, false).normalize("Ångström")).isEqualTo("Angstrom");
        assertThat(BertPreTokenizer.split("hi,there  you$ ok")).containsExactly("hi", ",", "there", "you", "$", "ok");
        assertThat(BertPreTokenizer.split("«quoted»")).containsExactly("«", "quoted", "»");
    }

    @Test
    void readsABertVocabTxt() throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "un", "##aff", "##able"));
        WordPieceTokenizer t = WordPieceTokenizer.fromVocabTxt(vocab, BertNormalizer.uncased());
        assertThat(t.encode("The unaffable", EncodeOptions.HUGGING_FACE_DEFAULT)).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(t.specialTokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
        Path saved = dir.resolve("tokenizer.json");
        t.save(saved);
        assertThat(Tokenizer.load(saved).encode("The unaffable", EncodeOptions.HUGGING_FACE_DEFAULT))
                .containsExactly(2, 5, 6, 7, 8, 3);

        Files.write(vocab, List.of("[UNK]", "a", "b", "a"));
        assertThatThrownBy(() -> WordPieceTokenizer.fromVocabTxt(vocab, BertNormalizer.uncased()))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageContaining("line 4: repeats the token 'a' of line 2");
        Files.write(vocab, List.of("a", "b"));
        assertThatThrownBy(() -> WordPieceTokenizer.fromVocabTxt(vocab, BertNormalizer.uncased()))
                .hasMessageContaining("has no [UNK] token");
    }

    @Test
    void bytesMustBeUtf8ForATextTokenizer() {
        assertThat(BERT.encode("the".getBytes(java.nio.charset.StandardCharsets.UTF_8))).containsExactly(5);
        assertThatThrownBy(() -> BERT.encode(new byte[] {'t', (byte) 0xFF}))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("byte 0xFF at offset 1");
    }
}
