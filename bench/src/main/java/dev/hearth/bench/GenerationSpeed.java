package dev.hearth.bench;

import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Generation speed of the 15M-parameter Llama shape of llama2.c's stories15M (vocabulary 32,000,
 * untied head, width 288, SwiGLU 768, 6 layers, 6 heads, 6 key/value heads) with random weights:
 * a 128-token prompt, greedy, one stream, float32, through {@link Generator} (prefill, then one
 * decode step per token with KV caches). Prints prefill and decode tokens/s (best of the rounds
 * after a warm-up round), the weights' size and the peak resident set (VmHWM). A plain main, not a
 * test: run it with {@code bench/generate.sh}, which sets {@code HEARTH_THREADS}.
 *
 * <p>With the shape's context of 256, a 128-token prompt leaves room for 128 new tokens
 * (generation ends with CONTEXT_FULL, as llama2.c's {@code -n 256} does); pass a context of 384
 * for 256 new tokens. Llama's positions are rotary, so the context only sizes the KV caches: the
 * weights are the same.
 *
 * <p>Arguments (all optional): prompt tokens (128), new tokens (256), rounds (5), context (256),
 * weight format (f32, or q8_0, q4_0, int8: every linear weight and the embedding quantized as
 * {@code hearth quantize} does).
 */
public final class GenerationSpeed {
    private GenerationSpeed() {}

    public static void main(String[] args) throws IOException {
        int promptTokens = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int context = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        String format = args.length > 4 ? args[4] : "f32";
        var config = new Llama.Config(32000, context, 6, 6, 6, 288, 768, 10000f, 1e-5f, false, false, false, 0f);
        Llama model = new Llama(config, new Rng(42));
        model.eval();
        if (!format.equals("f32")) {
            QuantFormat f = QuantFormat.parse(format);
            for (Module m : model.modules()) {   // as hearth quantize does: every linear weight and the embedding
                if (m instanceof Linear l) {
                    l.quantize(f);
                } else if (m instanceof Embedding e) {
                    e.quantize(f);
                }
            }
        }
        long weightBytes = 0;
        for (var t : model.parameters().values()) {
            weightBytes += 4L * t.numel();
        }
        for (var q : model.quantizedParameters().values()) {
            weightBytes += q.byteSize();
        }
        // 32,000 distinct characters (U+0100 onwards, below the surrogates): one id per token
        StringBuilder alphabet = new StringBuilder();
        for (int cp = 0x100; alphabet.length() < config.vocabSize(); cp++) {
            alphabet.appendCodePoint(cp);
        }
        CharTokenizer tokenizer = CharTokenizer.train(alphabet.toString());
        Generator generator = new Generator(model, tokenizer);
        Rng rng = new Rng(7);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rng.nextInt(config.vocabSize());
        }
        SamplingParams params = SamplingParams.greedy(newTokens);
        System.out.printf(Locale.ROOT, "model: Llama 15M shape (dim 288, hidden 768, 6 layers, 6 heads, vocab 32000,"
                + " context %d, untied head), random weights, %,d parameters, %.1f MB of %s weights%n",
                context, model.parameterCount(), weightBytes / 1e6, format);
        System.out.printf(Locale.ROOT, "run: %d-token prompt, up to %d new tokens, greedy, 1 stream; %d thread(s);"
                + " %s, %d cores%n", promptTokens, newTokens, ComputePool.shared().threads(),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().availableProcessors());

        double bestPrefill = 0;
        double bestDecode = 0;
        GenerationResult last = null;
        for (int r = -1; r < rounds; r++) {          // round -1 warms the JIT up
            GenerationResult g = generator.generateIds(List.of(prompt), params, GenerationListener.NONE).getFirst();
            if (r >= 0) {
                bestPrefill = Math.max(bestPrefill, g.timings().prefillTokensPerSecond());
                bestDecode = Math.max(bestDecode, g.timings().decodeTokensPerSecond());
                System.out.printf(Locale.ROOT,
                        "  round %d: prefill %.1f tok/s, decode %.1f tok/s (%d new tokens, %s)%n",
                        r + 1, g.timings().prefillTokensPerSecond(), g.timings().decodeTokensPerSecond(),
                        g.generatedTokens(), g.finishReason());
            }
            last = g;
        }
        System.out.printf(Locale.ROOT, "new tokens: %d (%s)%n", last.generatedTokens(), last.finishReason());
        System.out.printf(Locale.ROOT, "best: prefill %.1f tok/s, decode %.1f tok/s%n", bestPrefill, bestDecode);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "memory: weights %.1f MB, KV cache %.1f MB, heap in use after GC %.1f MB,"
                + " peak RSS %s, max heap %.0f MB%n", weightBytes / 1e6,
                2.0 * 4 * config.layers() * config.contextLength() * config.dim() / 1e6,
                (rt.totalMemory() - rt.freeMemory()) / 1e6, peakRss(), rt.maxMemory() / 1e6);
    }

    /** VmHWM from /proc/self/status (Linux), or "n/a". */
    private static String peakRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return "n/a";
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.trim().split("\\s+");
                return String.format(Locale.ROOT, "%.1f MB", Long.parseLong(parts[1]) * 1024 / 1e6);
            }
        }
        return "n/a";
    }
}
