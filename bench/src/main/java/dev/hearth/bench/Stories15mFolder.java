package dev.hearth.bench;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a model folder of the 15M-parameter Llama shape (llama2.c's stories15M: vocabulary
 * 32,000, width 288, 6 layers, 6 heads, untied head) with random weights and a context of 512,
 * for serving benchmarks of a model whose decode step outweighs the HTTP work
 * ({@code SERVE_MODEL_DIR=... bench/serve.sh}). Its tokenizer is one token per character of
 * printable ASCII and the CJK ideographs, so the demo's English and Chinese prompts encode.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.hearth.bench.Stories15mFolder DIR [WIDTH]}: WIDTH 256 (instead of 288) gives the same shape
 * with every matrix a whole number of Q4_K's super-blocks (heads of 32).
 */
public final class Stories15mFolder {
    private Stories15mFolder() {}

    public static void main(String[] args) {
        if (args.length != 1 && args.length != 2) {
            System.err.println("usage: Stories15mFolder DIR [WIDTH]");
            System.exit(2);
        }
        StringBuilder alphabet = new StringBuilder("\n");
        for (int c = 0x20; c < 0x7F; c++) {
            alphabet.append((char) c);
        }
        for (int c = 0x3000; c <= 0x303F; c++) {                   // CJK punctuation
            alphabet.append((char) c);
        }
        for (int c = 0x4E00; c <= 0x9FFF; c++) {                   // CJK unified ideographs
            alphabet.append((char) c);
        }
        for (int c = 0xFF01; c <= 0xFF5E; c++) {                   // full-width forms
            alphabet.append((char) c);
        }
        CharTokenizer tokenizer = CharTokenizer.train(alphabet.toString());
        int width = args.length > 1 ? Integer.parseInt(args[1]) : 288;
        int heads = width % 48 == 0 ? width / 48 : width / 32;
        var config = new Llama.Config(32000, 512, 6, heads, heads, width, 768, 10000f, 1e-5f, false, false, false, 0f);
        Llama model = new Llama(config, new Rng(42));
        ModelFolder.save(Path.of(args[0]), model, tokenizer, GenerationConfig.defaults(-1, List.of()), Map.of());
        System.out.printf("wrote %s: %,d parameters, tokenizer of %,d characters%n", args[0], model.parameterCount(),
                tokenizer.vocabSize());
    }
}
