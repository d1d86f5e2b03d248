package dev.hearth.bench;

import dev.hearth.engine.tokenize.BpeTrainer;
import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.BpeTrainingConfig;
import dev.hearth.engine.tokenize.BpeTrainingResult;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.SplitPattern;
import dev.hearth.engine.tokenize.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizer figures on the shared corpus (tinyshakespeare.txt + zh-fortunes.txt, 3.1 MB): BPE
 * training time for an 8,000-token vocabulary, single-threaded encode and decode throughput, bytes
 * per token, and the character tokenizer's encode speed. A plain main, not a test (benchmarks are
 * never timed assertions); run it with {@code bench/tokenizer.sh}.
 */
public final class TokenizerThroughput {
    private TokenizerThroughput() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        Path en = data.resolve("tinyshakespeare.txt");
        Path zh = data.resolve("zh-fortunes.txt");
        if (!Files.exists(en) || !Files.exists(zh)) {
            System.out.println("no corpus: " + en + " or " + zh + " is missing; pass the shared data folder");
            return;
        }
        String english = Files.readString(en, StandardCharsets.UTF_8);
        String chinese = Files.readString(zh, StandardCharsets.UTF_8);
        List<String> corpus = List.of(english, chinese);
        long bytes = english.getBytes(StandardCharsets.UTF_8).length + chinese.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf(Locale.ROOT, "corpus: %s + %s, %,d bytes; %s, %d cores, %s%n", en.getFileName(),
                zh.getFileName(), bytes, System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"));

        // Training: the first run is cold (JIT warming up), then the best of three.
        BpeTrainingConfig config = BpeTrainingConfig.gpt2(8000).withSpecialTokens(List.of("<|endoftext|>"));
        BpeTrainingResult result = BpeTrainer.train(corpus, config);
        long cold = result.millis();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            BpeTrainingResult again = BpeTrainer.train(corpus, config);
            best = Math.min(best, again.millis());
            if (!again.tokenizer().merges().equals(result.tokenizer().merges())) {
                throw new AssertionError("training is not deterministic");
            }
        }
        System.out.println(result.summary());
        System.out.printf(Locale.ROOT, "train 8000: cold %.2f s, best of 3 warm %.2f s%n", cold / 1000.0, best / 1000.0);

        ByteLevelBpeTokenizer tok = result.tokenizer();
        int enTokens = tok.encode(english).length;
        int zhTokens = tok.encode(chinese).length;
        long enBytes = english.getBytes(StandardCharsets.UTF_8).length;
        long zhBytes = chinese.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf(Locale.ROOT, "bytes/token: english %.2f (%,d tokens), chinese %.2f (%,d tokens), all %.2f%n",
                enBytes / (double) enTokens, enTokens, zhBytes / (double) zhTokens, zhTokens,
                bytes / (double) (enTokens + zhTokens));
        if (!tok.decode(tok.encode(english)).equals(english) || !tok.decode(tok.encode(chinese)).equals(chinese)) {
            throw new AssertionError("round trip failed");
        }

        // Encode, single thread: warm cache (steady state) and a fresh tokenizer each round (cold cache).
        // Each figure is the best of at least 5 rounds and 3 seconds: the machines are shared and noisy.
        double[] warm = measure(() -> {
            tok.encode(english);
            tok.encode(chinese);
        });
        double[] freshCache = measure(() -> {
            ByteLevelBpeTokenizer fresh = tok.withPostProcessor(null);
            fresh.encode(english);
            fresh.encode(chinese);
        });
        int[] enIds = tok.encode(english);
        int[] zhIds = tok.encode(chinese);
        double[] decode = measure(() -> {
            tok.decode(enIds);
            tok.decode(zhIds);
        });
        double[] enOnly = measure(() -> tok.encode(english));
        double[] zhOnly = measure(() -> tok.encode(chinese));
        System.out.printf(Locale.ROOT, "encode MB/s (1 thread): %.1f best, %.1f median (cache warm); %.1f best with a "
                + "fresh cache; english %.1f, chinese %.1f; decode %.1f%n", bytes / 1e6 / min(warm),
                bytes / 1e6 / median(warm), bytes / 1e6 / min(freshCache), enBytes / 1e6 / min(enOnly),
                zhBytes / 1e6 / min(zhOnly), bytes / 1e6 / min(decode));

        // Pre-tokenization alone (pieces as strings), hand-written against java.util.regex.
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(SplitPattern.GPT2.regex(),
                java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
        double[] split = measure(() -> {
            SplitPattern.GPT2.split(english);
            SplitPattern.GPT2.split(chinese);
        });
        double[] regex = measure(() -> {
            for (String s : corpus) {
                java.util.regex.Matcher m = p.matcher(s);
                while (m.find()) {
                    m.group();
                }
            }
        });
        System.out.printf(Locale.ROOT, "GPT-2 split MB/s: by hand %.1f, java.util.regex %.1f%n",
                bytes / 1e6 / min(split), bytes / 1e6 / min(regex));

        // Character tokenizer on Shakespeare (nanoGPT's shakespeare_char).
        CharTokenizer chars = CharTokenizer.train(english);
        double[] charTimes = measure(() -> chars.encode(english));
        System.out.printf(Locale.ROOT, "char tokenizer: %d characters, encode MB/s %.1f%n", chars.vocabSize(),
                enBytes / 1e6 / min(charTimes));
    }

    /** Seconds per run of {@code work}: at least 5 runs and 3 seconds, after 2 unmeasured runs. */
    private static double[] measure(Runnable work) {
        work.run();
        work.run();
        List<Double> times = new java.util.ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 5 || System.nanoTime() - start < 3_000_000_000L) {
            long t0 = System.nanoTime();
            work.run();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        return times.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElseThrow();
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
