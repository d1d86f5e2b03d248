package dev.hearth.lab.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.lab.train.ModelSpec;
import org.junit.jupiter.api.Test;

class ComputePlanTest {
    private static final Hardware A100 = Hardware.named("a100-80gb");

    private static ComputePlan plan(ModelSpec m, int vocab, long tokens) {
        return new ComputePlan(m, vocab, tokens, 8, A100, 1, 0.4, 2.0);
    }

    @Test
    void parametersAreCountedExactlyAsTheModelsHoldThem() {
        ModelSpec[] shapes = {
            new ModelSpec("gpt", 2, 4, 0, 64, 0, 32, 0f, 10000f, true, true),
            new ModelSpec("gpt", 3, 2, 0, 48, 0, 16, 0f, 10000f, true, false),
            new ModelSpec("llama", 2, 4, 2, 64, 0, 32, 0f, 10000f, false, false),
            new ModelSpec("llama", 3, 6, 0, 96, 200, 32, 0f, 10000f, true, false),
        };
        for (ModelSpec m : shapes) {
            long built = m.build(101, new Rng(1)).parameterCount();
            assertThat(plan(m, 101, 1000).parameters()).as(m.toString()).isEqualTo(built);
        }
    }

    @Test
    void largeModelsFollowSixND() {
        // Llama-2-7B's shape: 6.74e9 parameters.
        ModelSpec llama7b = new ModelSpec("llama", 32, 32, 0, 4096, 11008, 4096, 0f, 10000f, false, false);
        ComputePlan p = plan(llama7b, 32000, 2_000_000_000_000L);
        assertThat(p.parameters()).isEqualTo(6_738_415_616L);
        assertThat(p.trainingFlops() / (6.0 * p.parameters() * 2e12)).isBetween(1.0, 1.25);
        // 1,024 A100s at 40% MFU: Meta reports 184,320 GPU-hours for this model (2T tokens).
        ComputePlan cluster = new ComputePlan(llama7b, 32000, 2_000_000_000_000L, 4, A100, 1024, 0.4, 2.0);
        double gpuHours = cluster.trainingSeconds() * 1024 / 3600;
        assertThat(gpuHours).isBetween(184_320 * 0.5, 184_320 * 1.5);
        assertThat(cluster.stateBytes()).isCloseTo(16 * 6.738e9, within(1e8));
        // serving: 13.5 GB of bf16 weights at 2 TB/s gives about 150 tokens/s for one stream
        assertThat(p.decodeTokensPerSecond(1, 2)).isBetween(140.0, 160.0);
        assertThat(p.decodeTokensPerSecond(1000, 2)).isLessThan(p.decodeTokensPerSecond(1, 2) * 1000);
        assertThat(p.costPerMillionTokens(1, 2)).isCloseTo(2.0 / (p.decodeTokensPerSecond(1, 2) * 3600) * 1e6, within(1e-9));
    }

    @Test
    void badInputIsRefused() {
        ModelSpec m = ModelSpec.nanoGptCpu();
        assertThatThrownBy(() -> new ComputePlan(m, 65, 1000, 8, A100, 1, 1.5, null)).hasMessageContaining("--mfu");
        assertThatThrownBy(() -> Hardware.named("tpu")).hasMessageContaining("unknown hardware 'tpu'")
                .hasMessageContaining("h100-sxm");
    }
}
