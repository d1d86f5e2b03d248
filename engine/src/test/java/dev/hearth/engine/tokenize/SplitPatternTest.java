package dev.hearth.engine.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SplitPatternTest {
    private static List<String> regex(SplitPattern p, String s) {
        return ReferenceBpe.findAll(Pattern.compile(p.regex(), Pattern.UNICODE_CHARACTER_CLASS), s);
    }

    private static void assertSameAsRegex(SplitPattern p, String s) {
        assertThat(p.split(s)).as("%s on %s", p.name(), escape(s)).isEqualTo(regex(p, s));
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp < 0x20 || cp > 0x7E ? String.format("\\u{%X}", cp)
                : String.valueOf((char) cp)));
        return sb.toString();
    }

    @Test
    void gpt2SplitsAsItsPaperExamplesShow() {
        assertThat(SplitPattern.GPT2.split("Hello world! It's 2024, isn't it?  Yes\n\n  ok"))
                .containsExactly("Hello", " world", "!", " It", "'s", " 2024", ",", " isn", "'t", " it", "?", " ",
                        " Yes", "\n\n ", " ok");
    }

    @Test
    void llama3AndQwen2DifferOnlyInDigitRuns() {
        assertThat(SplitPattern.LLAMA3.split("x 12345 (ab)")).containsExactly("x", " ", "123", "45", " (", "ab", ")");
        assertThat(SplitPattern.QWEN2.split("x 12345 (ab)"))
                .containsExactly("x", " ", "1", "2", "3", "4", "5", " (", "ab", ")");
        assertThat(SplitPattern.LLAMA3.split("I'M HERE\r\n\r\n  x")).containsExactly("I", "'M", " HERE", "\r\n\r\n", " ",
                " x");
    }

    @Test
    void everyPatternEqualsItsRegexOnRandomText() {
        Random rnd = new Random(20240611);
        for (int i = 0; i < 3000; i++) {
            String s = RandomText.mixed(rnd, 1 + rnd.nextInt(60));
            for (SplitPattern p : SplitPattern.all()) {
                assertSameAsRegex(p, s);
            }
        }
    }

    @Test
    void everyPatternEqualsItsRegexOnArbitraryCodePointsAndLoneSurrogates() {
        Random rnd = new Random(7);
        for (int i = 0; i < 1000; i++) {
            String s = RandomText.codePoints(rnd, 1 + rnd.nextInt(30));
            // escaped invalid bytes, as encode(byte[]) produces them
            String withEscapes = s + (char) (0xDC80 + rnd.nextInt(128)) + " x" + (char) (0xDC80 + rnd.nextInt(128));
            for (SplitPattern p : SplitPattern.all()) {
                assertSameAsRegex(p, s);
                assertSameAsRegex(p, withEscapes);
            }
        }
    }

    @Test
    void everyPatternEqualsItsRegexOnEdgeCases() {
        List<String> cases = List.of("", " ", "  ", "\n", " \n", "\n ", "a", " a", "  a", "\t\ta", "'", "''s", "'S",
                "'\u017F", "'re", "'RE", "'Ll", " 's", "x's", "1 2  3", "  !!", "\u00A0a", "\u3000\u4F60\u597D",
                "\uD83D\uDE00a", "a\uD83D\uDE00", "\r\n", " \r\n x", "!\n\nfoo", "\u0085x", "\u000B\u000Ba",
                "\u0660\u0661\u0662\u0663", "\uD835\uDFD8\uD835\uDFD9\uD835\uDFDA\uD835\uDFDB", "e\u0301", " \u0301a");
        for (String s : cases) {
            for (SplitPattern p : SplitPattern.all()) {
                assertSameAsRegex(p, s);
            }
        }
    }

    @Test
    void everyPatternEqualsItsRegexOnRealText() {
        String en = SharedData.text("tinyshakespeare.txt");
        String zh = SharedData.text("zh-fortunes.txt");
        for (SplitPattern p : SplitPattern.all()) {
            assertThat(p.split(en)).isEqualTo(regex(p, en));
            assertThat(p.split(zh)).isEqualTo(regex(p, zh));
        }
    }

    @Test
    void forRegexFindsOnlyExactPatterns() {
        for (SplitPattern p : SplitPattern.all()) {
            assertThat(SplitPattern.forRegex(p.regex())).contains(p);
        }
        assertThat(SplitPattern.forRegex("\\s+")).isEmpty();
        assertThat(SplitPattern.forRegex(SplitPattern.GPT2.regex() + "|x")).isEmpty();
    }
}
