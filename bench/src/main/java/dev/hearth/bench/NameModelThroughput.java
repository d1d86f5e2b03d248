package dev.hearth.bench;

import dev.hearth.guard.pii.ModelNameRecognizer;
import dev.hearth.guard.pii.NameSource;
import dev.hearth.guard.pii.PiiAnalyzer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Analysis speed with PERSON/LOCATION from the dictionaries, from the trained name model, and
 * from both, on one thread, all recognizers on, over the same mixed corpus as {@link PiiThroughput}
 * (tinyshakespeare.txt and zh-fortunes.txt lines, one synthetic line full of personal data in
 * five), but smaller by default (1 MB), since the model reads about a thousandth as fast. Each
 * figure is the best of three rounds. Run it with {@code bench/ner.sh}.
 */
public final class NameModelThroughput {
    private NameModelThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.out.println("usage: NameModelThroughput MODEL_DIR [data folder] [corpus bytes]");
            return;
        }
        Path modelDir = Path.of(args[0]);
        Path data = Path.of(args.length > 1 ? args[1] : "../shared/data");
        long targetBytes = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000L;
        List<String> lines = PiiThroughput.mixedCorpus(data, targetBytes, 10_000);
        if (lines == null) {
            return;
        }
        long bytes = PiiThroughput.bytes(lines);
        System.out.printf(Locale.ROOT, "corpus: %,d lines, %.2f MB; model %s; %s %s, %d cores%n", lines.size(), bytes / 1e6,
                modelDir, System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors());
        ModelNameRecognizer model = ModelNameRecognizer.load(modelDir);
        for (NameSource source : NameSource.values()) {
            PiiAnalyzer.Builder b = PiiAnalyzer.builder().names(source);
            if (source != NameSource.DICTIONARIES) {
                b.nameModel(model);
            }
            PiiAnalyzer analyzer = b.build();
            double best = 0;
            long findings = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                long n = 0;
                for (String l : lines) {
                    n += analyzer.analyze(l).size();
                }
                best = Math.max(best, bytes / 1e6 / ((System.nanoTime() - t0) / 1e9));
                findings = n;
            }
            System.out.printf(Locale.ROOT, "analyze, 1 thread, all recognizers, names from %-12s %8.3f MB/s (best of 3;"
                    + " %,d findings)%n", source.id() + ":", best, findings);
        }
    }
}
