package dev.hearth.cli;

import dev.hearth.lab.compress.GgufExporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth export gguf}: a Llama model folder as a GGUF file for llama.cpp. */
@Command(name = "gguf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a Llama model folder as a GGUF v3 file that llama.cpp runs:",
            "llama.* hyper-parameters, the tokenizer, and the weights under llama.cpp's names.",
            "A quantized folder (hearth quantize) is written from its blocks as they are."})
final class ExportGgufCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The file to write (replaced"
            + " if it exists).")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", description = "f32, f16, q8_0, q4_0 or q4_k (default: as the folder"
            + " stores it: f32, or its quantization).")
    String type;

    @Option(names = "--name", paramLabel = "NAME", description = "general.name in the file (default: the folder's"
            + " name).")
    String name;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GgufExporter.Type t = GgufExporter.Type.parse(type);
        long start = System.nanoTime();
        GgufExporter.Result r = GgufExporter.export(model, out, t, name);
        o.printf(Locale.ROOT, "exported %s as %s: %d tensors, tokenizer %s, in %.1f s%n", model,
                r.type().name().toLowerCase(Locale.ROOT), r.tensors().size(), r.tokenizer(),
                (System.nanoTime() - start) / 1e9);
        r.keptF32().forEach((n, why) -> o.printf(Locale.ROOT, "  kept f32: %s (%s)%n", n, why));
        r.warnings().forEach(w -> err.printf(Locale.ROOT, "note: %s%n", w));
        o.printf(Locale.ROOT, "wrote %s (%,d bytes); try: llama-simple -m %s -n 32 \"...\"%n", out, r.bytes(), out);
        o.flush();
        err.flush();
        return 0;
    }
}
