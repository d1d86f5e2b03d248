package dev.hearth.lab.eval;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import java.util.Arrays;
import java.util.List;

/**
 * How long a language model takes on this machine, as a user waits for it: the prefill of a
 * prompt (its time to first token, without sampling or HTTP) and each decode step with the KV
 * cache, as percentiles over repeated runs, and the decode throughput of one sequence.
 */
public final class LanguageModelLatency {
    private LanguageModelLatency() {}

    /**
     * @param prefill     seconds per prefill of the prompt, p50 / p95 / p99
     * @param decode      seconds per decode step, p50 / p95 / p99
     * @param tokensPerSecond decode steps per second over all timed steps
     */
    public record Result(int promptTokens, int runs, int stepsPerRun, double[] prefill, double[] decode,
                         double tokensPerSecond) {}

    /**
     * Times {@code runs} prefills of {@code prompt}, each followed by {@code steps} greedy decode
     * steps (the argmax token fed back), after one untimed warm-up run.
     */
    public static Result measure(LanguageModel model, int[] prompt, int runs, int steps) {
        if (prompt.length == 0) {
            throw new HearthException("the latency prompt has no tokens");
        }
        if (runs < 1 || steps < 1) {
            throw new HearthException("latency needs at least one run of one step, not " + runs + " x " + steps);
        }
        int[] p = prompt.length + steps > model.contextLength()
                ? Arrays.copyOf(prompt, Math.max(1, model.contextLength() - steps)) : prompt;
        if (p.length + steps > model.contextLength()) {
            throw new HearthException(steps + " decode steps do not fit the model's context of " + model.contextLength());
        }
        double[] prefill = new double[runs];
        double[] decode = new double[runs * steps];
        double decodeTotal = 0;
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int run = -1; run < runs; run++) {
                List<KvCache> caches = model.newCaches(1, p.length + steps);
                long t0 = System.nanoTime();
                int next = argmax(model.forwardLast(p, caches).toFloatArray());
                long t1 = System.nanoTime();
                if (run >= 0) {
                    prefill[run] = (t1 - t0) / 1e9;
                }
                for (int k = 0; k < steps; k++) {
                    long a = System.nanoTime();
                    next = argmax(model.forward(new int[] {next}, 1, 1, p.length + k, caches, null).toFloatArray());
                    long b = System.nanoTime();
                    if (run >= 0) {
                        decode[run * steps + k] = (b - a) / 1e9;
                        decodeTotal += (b - a) / 1e9;
                    }
                }
            }
        }
        return new Result(p.length, runs, steps, percentiles(prefill), percentiles(decode), runs * steps / decodeTotal);
    }

    /** p50, p95 and p99, nearest rank. */
    static double[] percentiles(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return new double[] {rank(s, 0.50), rank(s, 0.95), rank(s, 0.99)};
    }

    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }
}
