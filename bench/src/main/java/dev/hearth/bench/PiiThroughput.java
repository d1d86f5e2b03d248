package dev.hearth.bench;

import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.LabeledText;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;
import dev.hearth.guard.pii.Scrubber;
import dev.hearth.guard.pii.SyntheticPii;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Personal-data detection and scrubbing speed on mixed English and Chinese text: a corpus that
 * interleaves lines of tinyshakespeare.txt and zh-fortunes.txt with labelled synthetic lines full
 * of personal data (one in five), about 30 MB. Prints analysis MB/s on one thread with every
 * recognizer on (the target: 20 MB/s per core), and end-to-end `data scrub` MB/s (read,
 * analyse, anonymize, write) on 1 and 2 threads. A plain main, not a test; run it with
 * {@code bench/pii.sh}. Each figure is the best of several rounds: the machines are shared and noisy.
 */
public final class PiiThroughput {
    private PiiThroughput() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        long targetBytes = args.length > 1 ? Long.parseLong(args[1]) : 30_000_000L;
        List<String> lines = mixedCorpus(data, targetBytes, 50_000);
        if (lines == null) {
            return;
        }
        long bytes = bytes(lines);
        System.out.printf(Locale.ROOT, "corpus: %,d lines, %.1f MB (tinyshakespeare + zh-fortunes + 1 synthetic line in 5);"
                        + " %s %s, %d cores%n", lines.size(), bytes / 1e6, System.getProperty("java.vm.name"),
                Runtime.version(), Runtime.getRuntime().availableProcessors());

        PiiAnalyzer analyzer = PiiAnalyzer.builder().build();
        double best = 0;
        long findings = 0;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            long n = 0;
            for (String l : lines) {
                n += analyzer.analyze(l).size();
            }
            double mbs = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            best = Math.max(best, mbs);
            findings = n;
        }
        System.out.printf(Locale.ROOT, "analyze, 1 thread, all recognizers: %.1f MB/s (best of 6; %,d findings)%n", best, findings);

        Path dir = Files.createTempDirectory("hearth-pii-bench");
        Path in = dir.resolve("mixed.txt");
        try (BufferedWriter w = Files.newBufferedWriter(in)) {
            for (String l : lines) {
                w.write(l);
                w.write('\n');
            }
        }
        ScrubPolicy policy = ScrubPolicy.defaults();
        for (int threads : new int[] {1, 2}) {
            double bestScrub = 0;
            for (int round = 0; round < 3; round++) {
                Scrubber s = new Scrubber(new Anonymizer(policy, null, new Pseudonyms()), threads, 64 << 20);
                long t0 = System.nanoTime();
                s.scrub(in, dir.resolve("out.txt"), null, done -> { });
                bestScrub = Math.max(bestScrub, bytes / 1e6 / ((System.nanoTime() - t0) / 1e9));
            }
            System.out.printf(Locale.ROOT, "data scrub (replace), %d thread%s: %.1f MB/s (best of 3)%n", threads,
                    threads == 1 ? "" : "s", bestScrub);
        }
        Files.deleteIfExists(dir.resolve("out.txt"));
        Files.deleteIfExists(in);
        Files.deleteIfExists(dir);
    }

    /**
     * Lines of tinyshakespeare.txt and zh-fortunes.txt interleaved, with a labelled synthetic line
     * full of personal data (drawn from {@code synthetic} generated ones) after every fourth pair,
     * up to {@code targetBytes}; null, with a message, when the shared data is missing.
     */
    static List<String> mixedCorpus(Path data, long targetBytes, int synthetic) throws java.io.IOException {
        Path en = data.resolve("tinyshakespeare.txt");
        Path zh = data.resolve("zh-fortunes.txt");
        if (!Files.exists(en) || !Files.exists(zh)) {
            System.out.println("no corpus: " + en + " or " + zh + " is missing; pass the shared data folder");
            return null;
        }
        List<String> enLines = Files.readAllLines(en);
        List<String> zhLines = Files.readAllLines(zh);
        List<LabeledText> generated = SyntheticPii.generate(synthetic, 5, 0.4);
        List<String> lines = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; bytes < targetBytes; i++) {
            for (String l : i % 4 == 0 ? List.of(zhLines.get(i % zhLines.size()), enLines.get(i % enLines.size()),
                    generated.get(i % generated.size()).text()) : List.of(zhLines.get(i % zhLines.size()),
                    enLines.get(i % enLines.size()))) {
                lines.add(l);
                bytes += l.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        return lines;
    }

    /** The corpus's size in UTF-8 bytes, a newline per line. */
    static long bytes(List<String> lines) {
        long bytes = 0;
        for (String l : lines) {
            bytes += l.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return bytes;
    }
}
