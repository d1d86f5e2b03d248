package dev.hearth.cli;

import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.lab.compress.Quantizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth quantize}: a model folder with its weights in Q8_0, Q4_0, Q4_K or per-channel int8. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a quantized copy of a model folder (Llama, Qwen2, Mistral).",
            "Linear weights and the token embedding go to the format; norms and biases stay float32.",
            "A matrix whose input width is not a multiple of 32 (q4_k: 256) is kept float32 and named.",
            "The result loads in generate, eval ppl, models register and serve like any model."})
final class QuantizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The float32 model folder.")
    Path model;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "q8_0 (llama.cpp blocks of 32, 8.5 bits/weight), q4_0 (4.5 bits/weight), q4_k"
                    + " (llama.cpp super-blocks of 256 with 6-bit sub-block scales and mins, 4.5 bits/weight) or int8"
                    + " (per-channel, 8 bits + one fp32 scale per row).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new folder (must not exist or be"
            + " empty).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        QuantFormat f = QuantFormat.parse(format);
        long start = System.nanoTime();
        Quantizer.Result r = Quantizer.quantize(model, f, out);
        o.printf(Locale.ROOT, "quantized %d matrices of %s to %s in %.1f s%n", r.quantized().size(), model, f.id(),
                (System.nanoTime() - start) / 1e9);
        r.keptFloat().forEach((name, why) -> o.printf(Locale.ROOT, "  kept float32: %s (%s)%n", name, why));
        o.printf(Locale.ROOT, "weights: %,d bytes -> %,d bytes (%.2fx smaller)%n", r.inputBytes(), r.outputBytes(),
                (double) r.inputBytes() / r.outputBytes());
        o.printf(Locale.ROOT, "wrote %s; try: hearth generate --model %s --prompt \"...\"%n", out, out);
        o.flush();
        return 0;
    }
}
