package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hugging Face's own added-vocabulary test cases (added_vocabulary.rs), with the same expected splits. */
class AddedTokensTest {
    private static final Normalizer LOWERCASE = new LowercaseNormalizer();

    /** Each segment handed to the model as "text", each added token as its id. */
    private static List<Object> split(List<AddedToken> tokens, String text) {
        List<Object> out = new ArrayList<>();
        IntArrayBuilder ids = new IntArrayBuilder();
        new AddedTokens(tokens).encode(text, SpecialTokenPolicy.RECOGNIZE, LOWERCASE, (segment, offset, o) -> {
            o.add(-1 - out.size());
            out.add(segment);
        }, ids);
        List<Object> merged = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            int id = ids.get(k);
            merged.add(id < 0 ? out.get(-1 - id) : (Object) id);
        }
        return merged;
    }

    private static AddedToken plain(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip) {
        return new AddedToken(id, content, false, singleWord, lstrip, rstrip, true);
    }

    @Test
    void optionsUseCases() {
        List<AddedToken> tokens = List.of(plain(0, "my", false, true, true), plain(1, "name", false, false, false),
                plain(2, "ony", true, false, false), AddedToken.special(3, "[CLS]"), AddedToken.special(4, "[SEP]"));
        assertThat(split(tokens, "[CLS] My name is Anthony [SEP]")).containsExactly(3, 0, 1, " is anthony ", 4);
    }

    @Test
    void singleWordIsCorrect() {
        List<AddedToken> tokens = List.of(plain(0, "<mask>", true, false, false));
        assertThat(split(tokens, "<mask> My name <mask> A<mask> <mask>ony <mask>"))
                .containsExactly(0, " my name ", 0, " a<mask> <mask>ony ", 0);
    }

    @Test
    void singleWordIsUnicodeCorrect() {
        List<AddedToken> tokens = List.of(plain(0, "<mask>", true, false, false));
        assertThat(split(tokens, "<mask>, <mask>- \u25CC\u0330<mask>"))
                .containsExactly(0, ", ", 0, "- \u25CC\u0330<mask>");
    }

    @Test
    void lstripTakesUnicodeSpaces() {
        List<AddedToken> tokens = List.of(plain(0, "<mask>", true, true, true));
        assertThat(split(tokens, "Hi <mask> there\t<mask>\t<mask>\u2000")).containsExactly("hi", 0, "there", 0, 0);
    }

    @Test
    void longestMatchWins() {
        List<AddedToken> tokens = List.of(AddedToken.special(0, "<|im"), AddedToken.special(1, "<|im_start|>"));
        assertThat(split(tokens, "a<|im_start|>b<|imx")).containsExactly("a", 1, "b", 0, "x");
    }
}
