package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanCommandTest {
    private static CliRun hearth(String... args) {
        return CliRun.of(args);
    }

    @Test
    void plansLlama7bOnA100s() {
        CliRun r = hearth("plan", "--set", "model.arch=llama", "--set", "model.layers=32", "--set", "model.heads=32",
                "--set", "model.dim=4096", "--set", "model.hidden=11008", "--set", "model.context=4096",
                "--set", "model.tied_embeddings=false", "--set", "batch_size=1", "--vocab", "32000", "--tokens", "2e12",
                "--hardware", "a100-80gb", "--devices", "1024", "--price", "1.8");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("parameters: 6.74B", "1024 × a100-80gb", "at 40% MFU", "cost", "q4_0");
        assertThat(r.out()).containsPattern("time +[0-9.]+ days");
    }

    @Test
    void badInputIsNamed() {
        assertThat(hearth("plan", "--tokens", "lots", "--hardware", "t4").err()).contains("--tokens is a positive count");
        assertThat(hearth("plan", "--tokens", "1e6", "--hardware", "tpu-v5").err()).contains("unknown hardware 'tpu-v5'");
        assertThat(hearth("plan", "--tokens", "1e6", "--hardware", "t4", "--mfu", "2").err()).contains("--mfu");
    }
}
