package dev.hearth.bench;

import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Embedding;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decode and prefill speed of the 15M Llama shape (as {@link GenerationSpeed}) in several weight
 * formats in one process, the formats taking turns round after round, so that a machine whose
 * load changes (a shared one) slows them alike: the ratios between formats are what this
 * measures. Best round per format after a warm-up round. Needs about 500 MB of heap.
 *
 * <p>Arguments (optional): prompt tokens (128), new tokens (256), rounds (5), context (256),
 * formats (f32,q8_0,q4_0,int8), width (288, stories15M's; 256 gives the same shape with every
 * matrix a whole number of Q4_K's super-blocks of 256: heads of 32, the rest unchanged).
 */
public final class QuantizedGenerationSpeed {
    private QuantizedGenerationSpeed() {}

    public static void main(String[] args) {
        int promptTokens = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int context = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        String[] formats = (args.length > 4 ? args[4] : "f32,q8_0,q4_0,int8").split(",");
        int width = args.length > 5 ? Integer.parseInt(args[5]) : 288;
        int heads = width % 48 == 0 ? width / 48 : width / 32;
        var config = new Llama.Config(32000, context, 6, heads, heads, width, 768, 10000f, 1e-5f, false, false, false,
                0f);
        StringBuilder alphabet = new StringBuilder();
        for (int cp = 0x100; alphabet.length() < config.vocabSize(); cp++) {
            alphabet.appendCodePoint(cp);
        }
        CharTokenizer tokenizer = CharTokenizer.train(alphabet.toString());
        List<Generator> generators = new ArrayList<>();
        for (String f : formats) {
            Llama model = new Llama(config, new Rng(42));   // the same weights for every format
            model.eval();
            if (!f.equals("f32")) {
                QuantFormat q = QuantFormat.parse(f);
                for (Module m : model.modules()) {
                    if (m instanceof Linear l) {
                        l.quantize(q);
                    } else if (m instanceof Embedding e) {
                        e.quantize(q);
                    }
                }
            }
            generators.add(new Generator(model, tokenizer));
        }
        Rng rng = new Rng(7);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rng.nextInt(config.vocabSize());
        }
        SamplingParams params = SamplingParams.greedy(newTokens);
        System.out.printf(Locale.ROOT, "Llama 15M shape (width %d), random weights, %d-token prompt, up to %d new tokens, greedy;"
                + " %d thread(s); formats take turns, best of %d rounds%n", width, promptTokens, newTokens,
                ComputePool.shared().threads(), rounds);
        double[] prefill = new double[formats.length];
        double[] decode = new double[formats.length];
        for (int r = -1; r < rounds; r++) {
            for (int i = 0; i < formats.length; i++) {
                GenerationResult g = generators.get(i).generateIds(List.of(prompt), params, GenerationListener.NONE)
                        .getFirst();
                if (r >= 0) {
                    prefill[i] = Math.max(prefill[i], g.timings().prefillTokensPerSecond());
                    decode[i] = Math.max(decode[i], g.timings().decodeTokensPerSecond());
                }
            }
        }
        for (int i = 0; i < formats.length; i++) {
            System.out.printf(Locale.ROOT, "%-5s prefill %7.1f tok/s, decode %6.1f tok/s (%.2fx %s)%n", formats[i],
                    prefill[i], decode[i], decode[i] / decode[0], formats[0]);
        }
    }
}
