package dev.hearth.guard.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CounterfactualSwapTest {
    private final CounterfactualSwap swap = new CounterfactualSwap();

    @Test
    void swapsEnglishTermsKeepingCaseAndResolvingHer() {
        assertThat(swap.swap("He gave her book to his wife.")).isEqualTo("She gave his book to her husband.");
        assertThat(swap.swap("She went with her.")).isEqualTo("He went with him.");
        assertThat(swap.swap("I told her that the KING was ill")).isEqualTo("I told him that the QUEEN was ill");
        assertThat(swap.swap("The boys and girls thanked Mr Lee.")).isEqualTo("The girls and boys thanked Mrs Lee.");
        assertThat(swap.swap("Where is the chef? Ask the shepherd.")).isEqualTo("Where is the chef? Ask the shepherd.");
        assertThat(swap.hasTerms("the theme is heroic")).isFalse();                    // no swaps inside words
    }

    @Test
    void swapsChineseTermsLongestFirstAndLeavesWordsThatOnlyContainThem() {
        assertThat(swap.swap("他的爸爸是医生，她们是姐妹。")).isEqualTo("她的妈妈是医生，他们是兄弟。");
        assertThat(swap.swap("还有其他可以帮您的吗？他弹吉他。")).isEqualTo("还有其他可以帮您的吗？她弹吉他。");
        assertThat(swap.swap("我的男朋友")).isEqualTo("我的女朋友");
    }

    @Test
    void swappingTwiceGivesBackTheUnambiguousText() {
        String text = "The king and his son met the queen. 他和他的哥哥。";
        assertThat(swap.swap(swap.swap(text))).isEqualTo(text);
    }
}
