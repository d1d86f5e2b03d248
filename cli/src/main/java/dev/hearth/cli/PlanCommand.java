package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.plan.ComputePlan;
import dev.hearth.lab.plan.Hardware;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth plan}: what training and serving a model shape will cost, before spending it. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Estimate parameters, training FLOPs (about 6 N D), memory for weights, gradients, optimizer",
            "state and activations, training time and cost, and serving tokens/s and cost per million tokens, for a",
            "model shape (a training config and --set, as hearth train takes them) on this machine or a named GPU.",
            "See docs/plan.md."})
final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE.yaml", description = "A training config (its model and batch_size).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting: model.layers=12, batch_size=32.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--vocab", defaultValue = "32000", paramLabel = "N", description = "Tokenizer size (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--tokens", required = true, paramLabel = "D", description = "Training tokens: 2e9, 300000000.")
    String tokens;

    @Option(names = "--hardware", defaultValue = "here", paramLabel = "NAME",
            description = "here (this machine, measured), h100-sxm, a100-80gb, l4 or t4 (default: ${DEFAULT-VALUE}).")
    String hardware;

    @Option(names = "--devices", defaultValue = "1", paramLabel = "N", description = "Devices training together (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--mfu", paramLabel = "F",
            description = "Model FLOP utilisation training achieves (default: 0.4 on GPUs; 0.35 here, from docs/plan.md's check).")
    Double mfu;

    @Option(names = "--price", paramLabel = "USD", description = "Price per device-hour, for costs.")
    Double price;

    @Option(names = "--streams", split = ",", defaultValue = "1,8,64", paramLabel = "N",
            description = "Concurrent decode streams to estimate serving at (default: ${DEFAULT-VALUE}).")
    List<Integer> streams;

    @Override
    public Integer call() {
        long d = parseTokens(tokens);
        Map<String, String> settings = new LinkedHashMap<>(set);
        settings.putIfAbsent("data", "(planning: no data is read)");
        TrainConfig c = TrainConfigReader.read(config, settings);
        Hardware hw = "here".equals(hardware) ? Hardware.measureHere() : Hardware.named(hardware);
        double u = mfu != null ? mfu : "here".equals(hardware) ? 0.35 : 0.4;
        ComputePlan p = new ComputePlan(c.model(), vocab, d, c.batchSize() * c.gradAccum(), hw, devices, u, price);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "model:      %s, %d layers, width %d, %d heads, context %d, vocab %,d%n", c.model().arch(),
                c.model().layers(), c.model().dim(), c.model().heads(), c.model().context(), vocab);
        o.printf(Locale.ROOT, "parameters: %s (%s multiply activations)%n", count(p.parameters()), count(p.matmulParameters()));
        o.printf(Locale.ROOT, "hardware:   %d × %s: %.1f TFLOP/s %s peak, %.0f GB, %.0f GB/s (%s)%n", devices, hw.name(),
                hw.peakFlops() / 1e12, hw.precision(), hw.memoryBytes() / 1e9, hw.bandwidth() / 1e9, hw.source());
        o.println();
        o.printf(Locale.ROOT, "training on %s tokens, batch %d × %d:%n", count(d), p.batchSize(), c.model().context());
        o.printf(Locale.ROOT, "  compute   %.3g FLOPs (%.3g per token; 6·N·D alone would say %.3g)%n", p.trainingFlops(),
                p.trainingFlopsPerToken(), 6.0 * p.parameters() * d);
        o.printf(Locale.ROOT, "  memory    %s per device: %s weights + gradients + AdamW moments%s, %s activations%s%n",
                bytes(p.trainingBytesPerDevice()), bytes(p.stateBytes()), devices > 1 ? " (split over the devices)" : "",
                bytes(p.activationBytes()), p.trainingBytesPerDevice() > hw.memoryBytes()
                        ? " -- MORE than the device holds: smaller batch, more devices or activation checkpointing" : "");
        o.printf(Locale.ROOT, "  time      %s at %.0f%% MFU%n", duration(p.trainingSeconds()), u * 100);
        if (p.trainingCost() != null) {
            o.printf(Locale.ROOT, "  cost      $%,.2f at $%.2f per device-hour%n", p.trainingCost(), price);
        }
        o.println();
        o.printf(Locale.ROOT, "serving on one %s (decode; KV cache %s per token of context):%n", hw.name(),
                bytes(p.kvBytesPerToken()));
        o.printf(Locale.ROOT, "  %-8s %10s", "weights", "size");
        for (int s : streams) {
            o.printf(Locale.ROOT, " %16s", s + (s == 1 ? " stream" : " streams"));
        }
        o.println();
        Map<String, Double> formats = new LinkedHashMap<>();
        formats.put(hw.bytesPerValue() == 4 ? "fp32" : hw.precision(), (double) hw.bytesPerValue());
        formats.put("q8_0", 34.0 / 32);
        formats.put("q4_0", 18.0 / 32);
        for (var f : formats.entrySet()) {
            o.printf(Locale.ROOT, "  %-8s %10s", f.getKey(), bytes(p.weightBytes(f.getValue())));
            for (int s : streams) {
                Double cost = p.costPerMillionTokens(s, f.getValue());
                o.printf(Locale.ROOT, " %16s", String.format(Locale.ROOT, "%,.0f tok/s", p.decodeTokensPerSecond(s, f.getValue()))
                        + (cost == null ? "" : String.format(Locale.ROOT, " $%.3g/M", cost)));
            }
            o.println();
        }
        return 0;
    }

    static long parseTokens(String s) {
        try {
            double v = Double.parseDouble(s.replace("_", "").replace(",", ""));
            if (!(v >= 1) || v > 9e18) {
                throw new NumberFormatException();
            }
            return (long) v;
        } catch (NumberFormatException e) {
            throw new HearthException("--tokens is a positive count such as 2e9 or 300000000, not '" + s + "'");
        }
    }

    private static String count(double v) {
        return v >= 1e12 ? String.format(Locale.ROOT, "%.2fT", v / 1e12) : v >= 1e9 ? String.format(Locale.ROOT, "%.2fB", v / 1e9)
                : v >= 1e6 ? String.format(Locale.ROOT, "%.2fM", v / 1e6) : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String bytes(double v) {
        return v >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", v / 1e9) : v >= 1e6 ? String.format(Locale.ROOT, "%.1f MB", v / 1e6)
                : String.format(Locale.ROOT, "%.1f KB", v / 1e3);
    }

    private static String duration(double s) {
        return s >= 86400 ? String.format(Locale.ROOT, "%.1f days", s / 86400) : s >= 3600
                ? String.format(Locale.ROOT, "%.1f hours", s / 3600) : s >= 60 ? String.format(Locale.ROOT, "%.1f minutes", s / 60)
                : String.format(Locale.ROOT, "%.1f s", s);
    }
}
