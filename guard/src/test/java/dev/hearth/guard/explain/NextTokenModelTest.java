package dev.hearth.guard.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

class NextTokenModelTest {

    private static final int[] IDS = {3, 17, 5, 29, 11};
    private static final List<String> TOKENS = List.of("The", " cat", " sat", " on", " the");

    private static NextTokenModel model() {
        Llama m = new Llama(new Llama.Config(37, 16, 2, 4, 2, 16, 40, 10000f, 1e-6f, false, false, false, 0f), new Rng(5));
        m.eval();
        m.freezeForInference();
        return new NextTokenModel(m, IDS, TOKENS);
    }

    @Test
    void integratedGradientsOverTokenEmbeddingsAddsUpToTheLogProbabilityGap() {
        NextTokenModel m = model();
        double[] lp = m.nextTokenLogProbabilities();
        int target = 0;
        for (int v = 1; v < lp.length; v++) {
            target = lp[v] > lp[target] ? v : target;
        }
        float[] x = m.embeddingInput();
        Attribution ig = new IntegratedGradients(64, IntegratedGradients.Rule.GAUSS_LEGENDRE, 16)
                .explain(m.embeddingScores(), x, m.baselineInput(0), m.features(), target);
        assertThat(ig.features()).isEqualTo(TOKENS);
        assertThat(ig.score()).isCloseTo(lp[target], within(1e-4));
        assertThat(Math.abs(ig.checks().get("relative_completeness_delta"))).isLessThan(0.01);
        // its reference is the prompt with every token replaced, as the perturbation methods' is
        assertThat(ig.referenceScore()).isCloseTo(m.replacingTokens(0, target).emptyScore(), within(1e-4));
        Attribution sal = Saliency.explain(m.embeddingScores(), x, m.features(), target);
        assertThat(java.util.Arrays.stream(sal.values()).min().orElseThrow()).isPositive();
    }

    @Test
    void occlusionOfATokenIsTheLogProbabilityLostWhenItIsReplaced() {
        NextTokenModel m = model();
        int target = 7;
        CoalitionModel tokens = m.replacingTokens(0, target);
        Attribution occ = Occlusion.explain(tokens);
        double full = m.nextTokenLogProbabilities()[target];
        assertThat(occ.score()).isCloseTo(full, within(1e-5));
        int[] changed = IDS.clone();
        changed[2] = 0;
        double without = new NextTokenModel(unfrozenCopy(), changed, TOKENS).nextTokenLogProbabilities()[target];
        assertThat(occ.values()[2]).isCloseTo(full - without, within(1e-4));
        Attribution shap = new KernelShap(64, 1).explain(tokens);
        assertThat(shap.total()).isCloseTo(full - tokens.emptyScore(), within(1e-6));
    }

    private static Llama unfrozenCopy() {
        Llama m = new Llama(new Llama.Config(37, 16, 2, 4, 2, 16, 40, 10000f, 1e-6f, false, false, false, 0f), new Rng(5));
        m.eval();
        return m;
    }

    @Test
    void attentionHasOneCausalMapPerLayer() {
        List<float[][][]> maps = model().attention();
        assertThat(maps).hasSize(2);
        assertThat(maps.getFirst()).hasNumberOfRows(4);
        assertThat(maps.getFirst()[0][0][0]).isEqualTo(1f);
        assertThat(maps.getFirst()[0][0][1]).isZero();
    }

    @Test
    void badPromptsAndTokensAreNamed() {
        Llama m = unfrozenCopy();
        assertThatThrownBy(() -> new NextTokenModel(m, new int[0], List.of())).hasMessageContaining("no tokens");
        assertThatThrownBy(() -> new NextTokenModel(m, new int[20], java.util.Collections.nCopies(20, "a")))
                .hasMessageContaining("at most 16");
        assertThatThrownBy(() -> model().replacingTokens(99, 1)).hasMessageContaining("replacement token 99");
    }
}
