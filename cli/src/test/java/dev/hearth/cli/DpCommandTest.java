package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.store.MetricPoint;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hearth dp epsilon and hearth dp noise: the published MNIST figures from the command line. */
class DpCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Hearth.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void epsilonPrintsBothRdpConversionsWithTheirBestOrders() {
        Run r = hearth("dp", "epsilon", "--sample-rate", "256/60000", "--noise-multiplier", "1.1", "--steps", "14063",
                "--delta", "1e-5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("14,063 steps at sample rate 0.00426667, noise multiplier 1.1, delta 1e-05",
                "epsilon = 2.597  (RDP, conversion of Balle et al. 2020, best order 8.1)",
                "epsilon = 3.008  (RDP, classic conversion, best order 8.8)");
    }

    @Test
    void thePldAccountantIsTighter() {
        Run r = hearth("dp", "epsilon", "--sample-rate", "0.0042666667", "--noise-multiplier", "1.1", "--steps",
                "14063", "--delta", "1e-5", "--accountant", "pld");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epsilon = 2.38", "(PLD)", "add and remove");
    }

    @Test
    void noiseFindsTheMultiplierForATarget() {
        Run r = hearth("dp", "noise", "--epsilon", "3", "--delta", "1e-5", "--sample-rate", "256/60000", "--steps",
                "14063");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("noise multiplier = 1.01", "for epsilon 3 at delta 1e-05 over 14,063 steps",
                "it gives epsilon = 3.000", "Balle et al. 2020");
    }

    @Test
    void trainWithAPrivacyTargetSolvesTheNoiseAndRecordsTheSpending(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("one.txt");
        Files.writeString(text, "To be, or not to be: that is the question.\n".repeat(60));
        Path data = tmp.resolve("hamlet");
        assertThat(hearth("data", "prepare", text.toString(), "--out", data.toString(), "--tokenizer", "char",
                "--split", "tail")
                .code()).isZero();
        Path home = tmp.resolve("home");
        Run r = hearth("train", "--home", home.toString(), "--data", data.toString(), "--max-steps", "4",
                "--batch-size", "4", "--eval-every", "2", "--set", "model.layers=1", "--set", "model.dim=8", "--set",
                "model.heads=2", "--set", "model.context=8", "--set", "eval_batches=1", "--set", "warmup_steps=0",
                "--dp-epsilon", "8", "--dp-accountant", "rdp");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("privacy: DP-SGD over ", "sequences, noise multiplier ", "(rdp accountant)",
                "step 2: privacy spent epsilon ", "step 4: privacy spent epsilon ");
        try (Store store = Store.open(null, home)) {
            String run = store.runs().list(1).getFirst().id();
            List<MetricPoint> spent = store.runs().metrics(run, "dp_epsilon");
            assertThat(spent).hasSize(2);
            assertThat(spent.getLast().value()).isLessThanOrEqualTo(8.0).isGreaterThan(spent.getFirst().value());
        }
        Run both = hearth("train", "--home", home.toString(), "--data", data.toString(), "--dp-epsilon", "1",
                "--dp-noise", "1");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("not both");
    }

    @Test
    void theDigitsDemoTrainsPrivatelyAndSaysWhatItSpent(@TempDir Path home) throws Exception {
        Run r = hearth("demo", "digits", "--home", home.toString(), "--synthetic", "--epochs", "2", "--train-images",
                "600", "--batch", "60", "--lr", "1e-2", "--dp-epsilon", "8", "--dp-accountant", "rdp");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("privacy: DP-SGD, noise multiplier ", "(solved for epsilon 8, rdp accountant)",
                "Poisson batches of 60 on average (sample rate 0.1), 20 steps", "epoch 2/2: ");
        // sigma is solved to 1e-4, so the epsilon spent is the target or a hair under it
        assertThat(r.out()).containsPattern("epoch 2/2: .*epsilon (7\\.99\\d|8\\.000) spent")
                .containsPattern("privacy: \\(epsilon (7\\.99\\d|8\\.000), delta 1e-05\\) spent over 20 steps");
        try (var files = Files.walk(home.resolve("runs"))) {
            Path result = files.filter(p -> p.getFileName().toString().equals("result.json")).findFirst().orElseThrow();
            assertThat(Files.readString(result)).contains("\"dp_epsilon\"", "\"dp_clipped_fraction\"");
        }
        Run both = hearth("demo", "digits", "--home", home.toString(), "--synthetic", "--dp-epsilon", "1",
                "--dp-noise", "1");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("not both");
    }

    @Test
    void badInputIsAnErrorThatSaysWhatWasWrong() {
        Run r = hearth("dp", "epsilon", "--sample-rate", "1.5", "--noise-multiplier", "1", "--steps", "10",
                "--delta", "1e-5");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: sample rate must be in (0, 1]");
        Run unreachable = hearth("dp", "noise", "--epsilon", "0.0001", "--delta", "1e-5", "--sample-rate", "1",
                "--steps", "1000000");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).contains("out of reach");
        Run fraction = hearth("dp", "epsilon", "--sample-rate", "a/b", "--noise-multiplier", "1", "--steps", "10",
                "--delta", "1e-5");
        assertThat(fraction.code()).isEqualTo(2);
        assertThat(fraction.err()).contains("fraction like 256/60000");
        assertThat(hearth("dp").code()).isEqualTo(2);
    }
}
