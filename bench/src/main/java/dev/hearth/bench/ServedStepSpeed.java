package dev.hearth.bench;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How long a served model's decode step takes for n sequences together (the server's continuous
 * batching step): the folder's model frozen for inference as {@code hearth serve} freezes it; each
 * sequence reads a prompt of PROMPT tokens into caches of its own, then STEPS calls of
 * {@link LanguageModel#forwardEach} each give every sequence one more token, as the server's
 * steps do. Prints, per n, the best of ROUNDS rounds in CPU time per step (less moved by a shared
 * machine's load than wall time) and the bytes allocated per step. Run with
 * {@code -Dhearth.threads=1} for the server's single compute thread on two cores.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Dhearth.threads=1 -cp
 * bench/target/benchmarks.jar dev.hearth.bench.ServedStepSpeed DIR [SEQUENCES=1,8] [PROMPT=24]
 * [STEPS=64] [ROUNDS=30]}
 */
public final class ServedStepSpeed {
    private ServedStepSpeed() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ServedStepSpeed DIR [SEQUENCES=1,8] [PROMPT=24] [STEPS=64] [ROUNDS=30]");
            System.exit(2);
        }
        LanguageModel model = ModelFolder.load(Path.of(args[0])).model();
        model.freezeForInference();
        String[] counts = (args.length > 1 ? args[1] : "1,8").split(",");
        int prompt = args.length > 2 ? Integer.parseInt(args[2]) : 24;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        if (prompt < 1 || steps < 1 || prompt + steps > model.contextLength()) {
            throw new IllegalArgumentException("the prompt and the steps must each be at least 1 and together fit"
                    + " the model's context of " + model.contextLength() + ", not " + prompt + " + " + steps);
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) cpu;
        long self = Thread.currentThread().threadId();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (String c : counts) {
                int n = Integer.parseInt(c.trim());
                double best = Double.MAX_VALUE;
                long bytes = 0;
                for (int r = 0; r < rounds; r++) {
                    List<List<KvCache>> caches = new ArrayList<>(n);
                    int[] ids = new int[n];
                    for (int i = 0; i < n; i++) {
                        int[] p = new int[prompt];
                        for (int t = 0; t < prompt; t++) {
                            p[t] = 1 + (i * 31 + t * 7) % (model.vocabSize() - 1);
                        }
                        List<KvCache> own = model.newCaches(1, prompt + steps);
                        model.forwardLast(p, own);
                        caches.add(own);
                        ids[i] = p[prompt - 1];
                    }
                    long a0 = alloc.getThreadAllocatedBytes(self);
                    long c0 = cpu.getCurrentThreadCpuTime();
                    for (int step = 0; step < steps; step++) {
                        model.forwardEach(ids, caches);
                    }
                    best = Math.min(best, (cpu.getCurrentThreadCpuTime() - c0) / 1e3 / steps);
                    bytes = (alloc.getThreadAllocatedBytes(self) - a0) / steps;
                }
                System.out.printf(Locale.ROOT, "%d sequences: %.1f us of CPU a step (best of %d rounds of %d steps"
                        + " after %d-token prompts), %d bytes allocated a step%n", n, best, rounds, steps, prompt, bytes);
            }
        }
    }
}
