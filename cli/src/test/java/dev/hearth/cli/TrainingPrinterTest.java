package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.lab.train.LanguageModelTraining;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingPrinterTest {

    @Test
    void theClosingLineSaysWhenNoValidationLossWasMeasured() {
        var early = new LanguageModelTraining.Result("stopped", 53, Double.NaN, -1, Double.NaN, null,
                Path.of("runs/x/checkpoints/last"), 8.2, 40_704);
        assertThat(TrainingPrinter.outcome(early)).isEqualTo("stopped after 53 steps (8 s, 40,704 tokens): no validation"
                + " loss yet (the run ended before its first evaluation)");
        var done = new LanguageModelTraining.Result("finished", 200, 0.70531, 200, 0.70531,
                Path.of("runs/x/checkpoints/best"), Path.of("runs/x/checkpoints/last"), 23, 153_600);
        assertThat(TrainingPrinter.outcome(done)).isEqualTo("finished after 200 steps (23 s, 153,600 tokens): best val"
                + " loss 0.7053 at step 200, last 0.7053");
    }
}
