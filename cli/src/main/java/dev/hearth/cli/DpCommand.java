package dev.hearth.cli;

import dev.hearth.guard.dp.NoiseCalibration;
import dev.hearth.guard.dp.PldAccountant;
import dev.hearth.guard.dp.PrivacyAccountant;
import dev.hearth.guard.dp.PrivacySpent;
import dev.hearth.guard.dp.RdpAccountant;
import dev.hearth.guard.dp.RdpAccountant.Conversion;
import dev.hearth.guard.dp.SampledGaussian;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth dp}: differential-privacy arithmetic for DP-SGD, answered without training anything. */
@Command(name = "dp", mixinStandardHelpOptions = true,
        description = {"Differential privacy for DP-SGD (Poisson-sampled batches, clipped per-example gradients,",
            "Gaussian noise): the epsilon a run spends, or the noise a privacy target needs."},
        subcommands = {DpCommand.Epsilon.class, DpCommand.Noise.class})
final class DpCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: epsilon, noise");
    }

    /** Which accountant answers. */
    enum Accountant {
        rdp, pld
    }

    /** Reads a sample rate written as a number or as a fraction such as 256/60000 (batch size / examples). */
    static final class RateConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            int slash = value.indexOf('/');
            try {
                if (slash < 0) {
                    return Double.parseDouble(value);
                }
                return Double.parseDouble(value.substring(0, slash).strip())
                        / Double.parseDouble(value.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not a number or a fraction like 256/60000");
            }
        }
    }

    @Command(name = "epsilon", mixinStandardHelpOptions = true,
            description = {"Print the epsilon that DP-SGD spends at a given delta.",
                "rdp: Renyi DP (Mironov et al. 2019) with the conversion of Balle et al. 2020, and the classic",
                "conversion that TF Privacy and Opacus publish. pld: the privacy loss distribution composed by",
                "FFT, the tightest bound (a second or so)."})
    static final class Epsilon implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--sample-rate", required = true, paramLabel = "Q", converter = RateConverter.class,
                description = "Probability that an example is in a batch: batch size / examples, e.g. 256/60000.")
        double sampleRate;

        @Option(names = "--noise-multiplier", required = true, paramLabel = "SIGMA",
                description = "Noise standard deviation over the clipping norm.")
        double noise;

        @Option(names = "--steps", required = true, paramLabel = "N", description = "Training steps.")
        long steps;

        @Option(names = "--delta", required = true, paramLabel = "D",
                description = "Failure probability, well below 1/examples (e.g. 1e-5).")
        double delta;

        @Option(names = "--accountant", defaultValue = "rdp", paramLabel = "rdp|pld",
                description = "rdp (default) or pld.")
        Accountant accountant;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            SampledGaussian run = new SampledGaussian(sampleRate, noise, steps);
            out.printf(Locale.ROOT, "%,d steps at sample rate %s, noise multiplier %s, delta %s%n", steps,
                    number(sampleRate), number(noise), number(delta));
            if (accountant == Accountant.pld) {
                PrivacySpent s = new PldAccountant().epsilon(run, delta);
                out.printf(Locale.ROOT, "epsilon = %s  (PLD)%n", eps(s.epsilon()));
                out.printf("  %s%n", s.method());
                return 0;
            }
            RdpAccountant balle = new RdpAccountant(Conversion.BALLE_2020);
            PrivacySpent tight = balle.epsilon(run, delta);
            PrivacySpent classic = new RdpAccountant(Conversion.CLASSIC).epsilon(run, delta);
            out.printf(Locale.ROOT, "epsilon = %s  (RDP, conversion of Balle et al. 2020, best order %s)%n",
                    eps(tight.epsilon()), order(tight));
            out.printf(Locale.ROOT, "epsilon = %s  (RDP, classic conversion, best order %s)%n", eps(classic.epsilon()),
                    order(classic));
            out.printf(Locale.ROOT, "  RDP of the Poisson-subsampled Gaussian (Mironov, Talwar, Zhang 2019) at %d orders"
                    + " from 1.1 to 63%n", balle.orders().size());
            out.printf("  classic: eps = RDP + log(1/delta)/(alpha-1) (Mironov 2017), the figure TF Privacy and Opacus"
                    + " publish%n");
            out.printf("  Balle et al. 2020: eps = RDP + log(1-1/alpha) - log(delta*alpha)/(alpha-1), never larger%n");
            for (PrivacySpent s : List.of(tight, classic)) {
                if (s.orderAtEdge()) {
                    out.println("  note: the best order is at the end of the list tried, so the bound may be loose;"
                            + " try --accountant pld");
                    break;
                }
            }
            return 0;
        }
    }

    @Command(name = "noise", mixinStandardHelpOptions = true,
            description = "Print the smallest noise multiplier that keeps a run within (epsilon, delta).")
    static final class Noise implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--epsilon", required = true, paramLabel = "E", description = "Target epsilon.")
        double epsilon;

        @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta (e.g. 1e-5).")
        double delta;

        @Option(names = "--sample-rate", required = true, paramLabel = "Q", converter = RateConverter.class,
                description = "Batch size / examples, e.g. 256/60000.")
        double sampleRate;

        @Option(names = "--steps", required = true, paramLabel = "N", description = "Planned training steps.")
        long steps;

        @Option(names = "--accountant", defaultValue = "rdp", paramLabel = "rdp|pld",
                description = "rdp (default, Balle et al. 2020 conversion) or pld (tighter: less noise).")
        Accountant accountant;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrivacyAccountant acc = accountant == Accountant.pld
                    ? new PldAccountant() : new RdpAccountant(Conversion.BALLE_2020);
            NoiseCalibration.Result r = NoiseCalibration.solve(acc, epsilon, delta, sampleRate, steps);
            out.printf(Locale.ROOT, "noise multiplier = %.4f%n", r.noiseMultiplier());
            out.printf(Locale.ROOT, "  for epsilon %s at delta %s over %,d steps at sample rate %s: it gives epsilon = %s%n",
                    number(epsilon), number(delta), steps, number(sampleRate), eps(r.spent().epsilon()));
            out.printf("  %s%s%n", r.spent().method(),
                    r.spent().order().isPresent() ? "; best order " + order(r.spent()) : "");
            return 0;
        }
    }

    static String eps(double e) {
        return Double.isInfinite(e) ? "infinity (no finite bound at this delta)" : String.format(Locale.ROOT, "%.3f", e);
    }

    /** Six significant digits without trailing zeros: 0.00426667, 1e-05, 14063. */
    static String number(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }

    static String order(PrivacySpent s) {
        return s.order().isPresent() ? number(s.order().getAsDouble()) : "-";
    }
}
