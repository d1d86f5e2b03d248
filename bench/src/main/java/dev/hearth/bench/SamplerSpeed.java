package dev.hearth.bench;

import dev.hearth.engine.generate.Sampler;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.tensor.Rng;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.BitSet;
import java.util.Locale;

/**
 * How long one draw of the next token takes ({@link Sampler#next}), which every sequence of a
 * served batch pays at every step and batching cannot share: logits of VOCAB tokens (eight
 * rows of normal(0, 3) values, taken in turn) at the given temperature, with top-k and top-p off
 * as {@code hearth bench serve} sends them. Prints the best of ROUNDS rounds of DRAWS draws in CPU
 * time per draw.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.hearth.bench.SamplerSpeed [VOCAB=1024] [TEMPERATURE=0.8] [ROUNDS=10] [DRAWS=200000]}
 */
public final class SamplerSpeed {
    private SamplerSpeed() {}

    public static void main(String[] args) {
        int vocab = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        double temperature = args.length > 1 ? Double.parseDouble(args[1]) : 0.8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int draws = args.length > 3 ? Integer.parseInt(args[3]) : 200_000;
        if (vocab < 1 || rounds < 1 || draws < 1) {
            throw new IllegalArgumentException("the vocabulary, rounds and draws must each be at least 1");
        }
        Rng init = new Rng(1);
        float[] logits = new float[8 * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (init.nextGaussian() * 3);
        }
        Sampler sampler = new Sampler(SamplingParams.greedy(1).withTemperature(temperature));
        Rng rng = new Rng(7);
        BitSet seen = new BitSet();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long checksum = 0;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < draws; i++) {
                checksum += sampler.next(logits, (i & 7) * vocab, vocab, seen, rng);
            }
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - c0) / (double) draws);
        }
        System.out.printf(Locale.ROOT, "vocabulary %d, temperature %s: %.0f ns of CPU a draw (best of %d rounds of %d;"
                + " checksum %d)%n", vocab, temperature, best, rounds, draws, checksum);
    }
}
