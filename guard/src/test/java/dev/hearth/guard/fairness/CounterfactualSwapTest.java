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

    @Test
    void pairsOfOnesOwnSwapOtherGroupsAndBadPairsAreNamed() {
        CounterfactualSwap religion = new CounterfactualSwap(java.util.List.of(java.util.List.of("church", "mosque"),
                java.util.List.of("christian", "muslim"), java.util.List.of("教堂", "清真寺")), false);
        assertThat(religion.swap("The Christian went to church; he prays. 他去教堂。"))
                .isEqualTo("The Muslim went to mosque; he prays. 他去清真寺。");
        assertThat(new CounterfactualSwap(java.util.List.of(java.util.List.of("church", "mosque")), true)
                .swap("She went to church.")).isEqualTo("He went to mosque.");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CounterfactualSwap(
                java.util.List.of(java.util.List.of("a", "b"), java.util.List.of("b", "c")), false))
                .hasMessageContaining("'b' is in two swap pairs");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CounterfactualSwap(
                java.util.List.of(java.util.List.of("new york", "paris")), false)).hasMessageContaining("one English word");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CounterfactualSwap(
                java.util.List.of(java.util.List.of("solo")), false)).hasMessageContaining("two different terms");
    }
}
