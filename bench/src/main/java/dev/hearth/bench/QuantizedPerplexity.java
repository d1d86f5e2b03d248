package dev.hearth.bench;

import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.generate.PerplexityResult;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;
import dev.hearth.lab.data.SupportConversations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Perplexity of model folders on the demo's held-out conversations (400 new ones, seed + 7919,
 * scrubbed as the training text was, English and Chinese apart: exactly what {@code hearth demo}
 * reports), with each folder's weight-file size: the float32 demo model next to its quantized
 * copies. A plain main: {@code bench/quantize.sh} runs it.
 *
 * <p>Arguments: the demo's seed (42), then model folders.
 */
public final class QuantizedPerplexity {
    private QuantizedPerplexity() {}

    public static void main(String[] args) throws IOException {
        long seed = Long.parseLong(args[0]);
        List<SupportConversations.Conversation> heldOut = SupportConversations.generate(400, seed + 7919);
        Anonymizer scrub = new Anonymizer(ScrubPolicy.defaults(), null, new Pseudonyms());
        PiiAnalyzer pii = ScrubPolicy.defaults().analyzer();
        List<String> en = new ArrayList<>();
        List<String> zh = new ArrayList<>();
        for (SupportConversations.Conversation c : heldOut) {
            String text = scrub.anonymize(c.text(), pii.analyze(c.text()), null);
            (c.language().equals("en") ? en : zh).add(text);
        }
        System.out.printf(Locale.ROOT, "%-40s %12s %12s %12s%n", "model", "weights (B)", "ppl English", "ppl Chinese");
        for (int i = 1; i < args.length; i++) {
            Path dir = Path.of(args[i]);
            var loaded = ModelFolder.load(dir);
            List<Integer> eos = loaded.generation().eosTokenIds();
            PerplexityOptions options = PerplexityOptions.DEFAULTS.withPrefixToken(eos.isEmpty() ? -1 : eos.get(0));
            Perplexity p = new Perplexity(loaded.model(), loaded.tokenizer());
            PerplexityResult re = p.evaluate(en, options);
            PerplexityResult rz = p.evaluate(zh, options);
            System.out.printf(Locale.ROOT, "%-40s %,12d %12.4f %12.4f%n", dir.getFileName(), weightBytes(dir),
                    re.perplexity(), rz.perplexity());
        }
    }

    private static long weightBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".safetensors")).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
